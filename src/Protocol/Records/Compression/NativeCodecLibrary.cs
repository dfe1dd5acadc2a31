using System.Runtime.InteropServices;

namespace KafkaSharp.Protocol.Records.Compression;

/// <summary>Loads a system compression library and its exports, failing with a message that names what is missing.</summary>
internal static class NativeCodecLibrary
{
    public static nint Load(string fileName, string codec, string debianPackage)
    {
        if (NativeLibrary.TryLoad(fileName, typeof(NativeCodecLibrary).Assembly, searchPath: null, out nint handle))
        {
            return handle;
        }
        throw new DllNotFoundException(
            $"{codec} compression needs the native library {fileName}, which could not be loaded. " +
            $"Install it (Debian: apt-get install {debianPackage}).");
    }

    public static nint Export(nint library, string fileName, string name) =>
        NativeLibrary.TryGetExport(library, name, out nint address)
            ? address
            : throw new EntryPointNotFoundException($"{fileName} has no function {name}; it is too old for KafkaSharp.");
}
