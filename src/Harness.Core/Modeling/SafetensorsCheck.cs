using System.Buffers.Binary;
using System.Text.Json;

namespace Harness.Modeling;

/// <summary>
/// Checks a safetensors file's framing before any reader trusts it (format: 8-byte little-endian header length N,
/// N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}}, then the data; offsets are relative to the data
/// start).  A corrupted file (flipped header bytes, wrong header length, truncation) gets one message naming the file,
/// the offset or field, and the fix, instead of a JsonException or EndOfStreamException from deep inside a reader.
/// </summary>
public static class SafetensorsCheck
{
    static readonly Dictionary<string, int> DtypeBytes = new()
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
    };

    public static void ThrowIfInvalid(string path, string fix)
    {
        var problems = Problems(path);
        if (problems.Count > 0)
            throw new UserInputException($"{path}: not a valid safetensors file.", [.. problems.Select(p => $"{path}: {p}"), fix]);
    }

    public static List<string> Problems(string path)
    {
        var problems = new List<string>();
        long length = new FileInfo(path).Length;
        if (length < 8) return [$"file is {length} bytes, shorter than the 8-byte header length at offset 0 (truncated)."];
        using var stream = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength == 0 || headerLength > (ulong)(length - 8) || headerLength > 100_000_000)
            return [$"header length at offset 0 says {headerLength} bytes, but the file has {length - 8} bytes after it (wrong header length or truncated file)."];
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = length - 8 - (long)headerLength;
        if (!System.Text.Unicode.Utf8.IsValid(header))
        {
            int bad = 0;
            while (System.Text.Unicode.Utf8.IsValid(header.AsSpan(0, bad + 1))) bad++;
            return [$"header JSON (bytes 8–{8 + (long)headerLength}) is not valid UTF-8 near file offset {8 + bad} (corrupted header bytes)."];
        }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header); }
        catch (JsonException e) { return [$"header JSON (bytes 8–{8 + (long)headerLength}) is not valid JSON at header byte {e.BytePositionInLine} (corrupted header bytes)."]; }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return ["header JSON is not an object of tensors."];
            foreach (var tensor in doc.RootElement.EnumerateObject())
            {
                if (tensor.Name == "__metadata__") continue;
                var at = $"header field \"{tensor.Name}\"";
                try
                {
                    var dtype = tensor.Value.GetProperty("dtype").GetString() ?? "";
                    if (!DtypeBytes.TryGetValue(dtype, out var size)) { problems.Add($"{at}: dtype \"{dtype}\" is not a safetensors dtype."); continue; }
                    long numel = 1;
                    foreach (var d in tensor.Value.GetProperty("shape").EnumerateArray()) numel *= d.GetInt64();
                    var offsets = tensor.Value.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
                    if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                        problems.Add($"{at}: data_offsets [{string.Join(", ", offsets)}] are not [begin, end] with begin ≤ end.");
                    else if (offsets[1] > dataLength)
                        problems.Add($"{at}: data_offsets end {offsets[1]} is past the end of the data ({dataLength} bytes; truncated file).");
                    else if (offsets[1] - offsets[0] != numel * size)
                        problems.Add($"{at}: data_offsets span {offsets[1] - offsets[0]} bytes, but shape × {dtype} needs {numel * size}.");
                }
                catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    problems.Add($"{at}: needs dtype, shape and data_offsets ({e.Message}).");
                }
            }
        }
        return problems;
    }
}
