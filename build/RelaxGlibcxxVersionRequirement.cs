// MSBuild inline task (RoslynCodeTaskFactory).  Why it exists: see Directory.Build.targets and README
// "TorchSharp on Debian 12".  It edits the ELF64 .gnu.version_r section of the output copy of
// libLibTorchSharp.so: the Vernaux entry naming GLIBCXX_3.4.32 gets VER_FLG_WEAK (0x2), nothing else changes.
using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class RelaxGlibcxxVersionRequirement : Microsoft.Build.Utilities.Task
{
    const string MissingVersion = "GLIBCXX_3.4.32";
    const ushort VerFlagWeak = 0x2;
    const uint ShtGnuVerneed = 0x6ffffffe;

    [Required] public string Directory { get; set; } = "";

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory)) return true;
        var bridges = System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (bridges.Length == 0) return true;
        var systemLibstdcxx = new[] {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" }
            .FirstOrDefault(File.Exists);
        if (systemLibstdcxx != null && Contains(File.ReadAllBytes(systemLibstdcxx), Encoding.ASCII.GetBytes(MissingVersion + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, $"{systemLibstdcxx} provides {MissingVersion}; TorchSharp native bridge left untouched.");
            return true;
        }
        foreach (var bridge in bridges)
        {
            try { Relax(bridge); }
            catch (Exception e) { Log.LogWarning($"Could not relax {MissingVersion} requirement in {bridge}: {e.Message}"); }
        }
        return true;
    }

    void Relax(string path)
    {
        var elf = File.ReadAllBytes(path);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a little-endian ELF64 file");
        long shoff = BitConverter.ToInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A), shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = BitConverter.ToInt64(elf, (int)sh + 24);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 40), count = (int)BitConverter.ToUInt32(elf, (int)sh + 44);
            long strtab = BitConverter.ToInt64(elf, (int)(shoff + (long)link * shentsize) + 24);
            long verneed = offset;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)verneed + 2);
                long aux = verneed + BitConverter.ToUInt32(elf, (int)verneed + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    string name = ReadCString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                    ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                    if (name == MissingVersion)
                    {
                        if ((flags & VerFlagWeak) != 0) return;
                        BitConverter.GetBytes((ushort)(flags | VerFlagWeak)).CopyTo(elf, (int)aux + 4);
                        string temp = path + ".relax.tmp";
                        File.WriteAllBytes(temp, elf);
                        File.Replace(temp, path, null);  // rename over the original: atomic on one file system
                        Log.LogMessage(MessageImportance.High, $"TorchSharp: marked the {MissingVersion} requirement of {path} weak (system libstdc++ lacks it).");
                        return;
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                uint next = BitConverter.ToUInt32(elf, (int)verneed + 12);
                if (next == 0) break;
                verneed += next;
            }
        }
    }

    static string ReadCString(byte[] bytes, long start)
    {
        int end = Array.IndexOf(bytes, (byte)0, (int)start);
        return Encoding.ASCII.GetString(bytes, (int)start, end - (int)start);
    }

    static bool Contains(byte[] haystack, byte[] needle)
    {
        // netstandard2.0 (what inline tasks compile against) has no span search.
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}
