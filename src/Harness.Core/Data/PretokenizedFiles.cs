using System.Buffers.Binary;

namespace Harness.Data;

/// <summary>The layout of a pre-tokenized .bin file.</summary>
public enum BinLayout
{
    /// <summary>nanoGPT's train.bin / val.bin: flat little-endian uint16 ids, no header.</summary>
    NanoGptUInt16,
    /// <summary>llm.c: 256 × int32 header (magic 20240520, version 1, token count), then uint16 ids (GPT-2 tokens).</summary>
    LlmCUInt16,
    /// <summary>llm.c: 256 × int32 header (magic 20240801, version 7, token count), then uint32 ids (Llama-3 tokens).</summary>
    LlmCUInt32,
}

/// <summary>What a .bin file's header (or length) says: layout, where the ids start, how many there are.</summary>
public sealed record BinHeader(BinLayout Layout, long PayloadOffset, long Tokens)
{
    public int IdBytes => Layout == BinLayout.LlmCUInt32 ? 4 : 2;
    /// <summary>Layouts made by the same family of tokenizer: uint16 files hold GPT-2-sized vocabularies, uint32 files
    /// (llm.c version 7) Llama-3's; mixing them in one corpus mixes tokenizers.</summary>
    public string TokenizerFamily => Layout == BinLayout.LlmCUInt32 ? "llm.c version 7 (uint32 ids, Llama-3 tokenizer)" : "uint16 ids (GPT-2 tokenizer)";
}

/// <summary>
/// Reads pre-tokenized .bin files: nanoGPT's flat uint16 files and llm.c's headered shards (a 256 × int32 header:
/// magic 20240520 with version 1 and uint16 ids, or magic 20240801 with version 7 and uint32 ids; header[2] is the token
/// count).  A file that starts with neither magic is taken as nanoGPT's and must have an even length.
/// </summary>
public static class PretokenizedFiles
{
    public const int LlmCHeaderInts = 256;
    public const int LlmCMagicUInt16 = 20240520;
    public const int LlmCMagicUInt32 = 20240801;

    /// <summary>The header of <paramref name="path"/>, or null with the problem added (naming the file and the fix).</summary>
    public static BinHeader? ReadHeader(string path, List<string> problems)
    {
        long length = new FileInfo(path).Length;
        if (length == 0)
        {
            problems.Add($"{path}: the shard is empty; remove it from data.corpus or write it again.");
            return null;
        }
        Span<byte> head = stackalloc byte[12];
        using (var stream = File.OpenRead(path))
            stream.ReadAtLeast(head, (int)Math.Min(12, length), throwOnEndOfStream: false);
        int magic = length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(head) : 0;
        if (magic is LlmCMagicUInt16 or LlmCMagicUInt32)
        {
            int version = BinaryPrimitives.ReadInt32LittleEndian(head[4..]);
            long count = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
            var layout = magic == LlmCMagicUInt16 ? BinLayout.LlmCUInt16 : BinLayout.LlmCUInt32;
            int expectedVersion = magic == LlmCMagicUInt16 ? 1 : 7;
            int width = magic == LlmCMagicUInt16 ? 2 : 4;
            long headerBytes = LlmCHeaderInts * 4L;
            if (version != expectedVersion)
                problems.Add($"{path}: llm.c header with magic {magic} has version {version}; that magic goes with version {expectedVersion}. The file is damaged or from a newer llm.c; write it again.");
            else if (count <= 0)
                problems.Add($"{path}: llm.c header says {count} tokens; the shard is empty or damaged; remove it or write it again.");
            else if (length != headerBytes + count * width)
                problems.Add($"{path}: llm.c header says {count:N0} tokens of {width} bytes after the {headerBytes}-byte header ({headerBytes + count * width:N0} bytes), but the file has {length:N0} bytes; it is truncated or damaged — write or download it again.");
            else return new BinHeader(layout, headerBytes, count);
            return null;
        }
        if (length % 2 != 0)
        {
            problems.Add($"{path}: {length:N0} bytes is an odd length, so it is not nanoGPT's flat uint16 ids, and it starts with no llm.c magic ({LlmCMagicUInt16} or {LlmCMagicUInt32}); the file is truncated or not a token file.");
            return null;
        }
        return new BinHeader(BinLayout.NanoGptUInt16, 0, length / 2);
    }

    /// <summary>The split a .bin file belongs to by its file name: "train" → 0, "val" → 1, "test" → 2; null if none.</summary>
    public static int? SplitOf(string path)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        if (name.Contains("train", StringComparison.Ordinal)) return 0;
        if (name.Contains("val", StringComparison.Ordinal)) return 1;
        if (name.Contains("test", StringComparison.Ordinal)) return 2;
        return null;
    }

    /// <summary>Reads ids [start, start + target.Length) of a .bin file's payload, widened to int.</summary>
    public static void ReadIds(string path, BinHeader header, long start, Span<int> target)
    {
        using var stream = File.OpenRead(path);
        stream.Position = header.PayloadOffset + start * header.IdBytes;
        var buffer = new byte[target.Length * header.IdBytes];
        stream.ReadExactly(buffer);
        for (int i = 0; i < target.Length; i++)
            target[i] = header.IdBytes == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(i * 2)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i * 4));
    }
}
