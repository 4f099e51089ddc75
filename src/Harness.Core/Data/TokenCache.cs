using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using Harness.IO;

namespace Harness.Data;

/// <summary>What a token cache folder was built from; it is reused only when every field matches.</summary>
internal sealed record TokenCacheManifest(string Version, string Key, string CorpusHash, string Split, string TokenizerHash, int VocabSize);

/// <summary>
/// Token streams on disk: one .bin per split plus manifest.json, written last so a folder without it (or with a
/// different one) is never trusted.  A .bin is a 64-byte header — "HTOKENS1", int32 bytes per id (2 = uint16 when
/// the vocabulary fits, else 4 = int32), int32 0, int64 token count, int64 UTF-8 bytes, sha256 of the payload — then
/// the ids, little-endian.  Size, header and hash are checked on read; any mismatch means "rebuild".
/// </summary>
internal static class TokenCache
{
    static readonly byte[] Magic = "HTOKENS1"u8.ToArray();
    const int HeaderSize = 64;
    const string ManifestFile = "manifest.json";
    static readonly string[] SplitNames = ["train", "validation", "test"];

    public static (TokenStream Train, TokenStream Validation, TokenStream Test)? TryRead(string directory, TokenCacheManifest expected)
    {
        try
        {
            var manifestPath = Path.Combine(directory, ManifestFile);
            if (!File.Exists(manifestPath)) return null;
            var manifest = JsonSerializer.Deserialize<TokenCacheManifest>(File.ReadAllText(manifestPath));
            if (manifest != expected) return null;
            var streams = new TokenStream[3];
            for (int i = 0; i < 3; i++)
            {
                var stream = ReadStream(Path.Combine(directory, SplitNames[i] + ".bin"), expected.VocabSize);
                if (stream is null) return null;
                streams[i] = stream;
            }
            return (streams[0], streams[1], streams[2]);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static void Write(string directory, TokenCacheManifest manifest, TokenStream train, TokenStream validation, TokenStream test)
    {
        Directory.CreateDirectory(directory);
        // Remove the manifest first: until the new one lands the folder reads as incomplete, even if we die midway.
        File.Delete(Path.Combine(directory, ManifestFile));
        var streams = new[] { train, validation, test };
        for (int i = 0; i < 3; i++)
            AtomicFile.WriteAllBytes(Path.Combine(directory, SplitNames[i] + ".bin"), Serialize(streams[i], manifest.VocabSize));
        AtomicFile.WriteAllText(Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(manifest) + "\n");
    }

    static int Width(int vocabSize) => vocabSize <= 65536 ? 2 : 4;

    internal static byte[] Serialize(TokenStream stream, int vocabSize)
    {
        int width = Width(vocabSize);
        var bytes = new byte[HeaderSize + (long)stream.Count * width];
        var payload = bytes.AsSpan(HeaderSize);
        for (int i = 0; i < stream.Count; i++)
        {
            int id = stream.Tokens[i];
            if ((uint)id >= (uint)vocabSize)
                throw new InvalidOperationException($"Token id {id} at position {i} is outside the vocabulary (size {vocabSize}).");
            if (width == 2) BinaryPrimitives.WriteUInt16LittleEndian(payload.Slice(i * 2), (ushort)id);
            else BinaryPrimitives.WriteInt32LittleEndian(payload.Slice(i * 4), id);
        }
        var header = bytes.AsSpan(0, HeaderSize);
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32LittleEndian(header.Slice(8), width);
        BinaryPrimitives.WriteInt64LittleEndian(header.Slice(16), stream.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header.Slice(24), stream.Utf8Bytes);
        SHA256.HashData(payload, header.Slice(32, 32));
        return bytes;
    }

    internal static TokenStream? ReadStream(string path, int vocabSize)
    {
        if (!File.Exists(path)) return null;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderSize || !bytes.AsSpan(0, 8).SequenceEqual(Magic)) return null;
        int width = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        long count = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16));
        long utf8Bytes = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(24));
        if (width != Width(vocabSize) || count < 0 || bytes.Length != HeaderSize + count * width) return null;
        var payload = bytes.AsSpan(HeaderSize);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(32, 32))) return null;
        var tokens = new int[count];
        for (int i = 0; i < tokens.Length; i++)
            tokens[i] = width == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(payload.Slice(i * 2))
                                   : BinaryPrimitives.ReadInt32LittleEndian(payload.Slice(i * 4));
        return new TokenStream(tokens, utf8Bytes);
    }
}
