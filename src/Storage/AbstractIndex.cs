using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace KafkaSharp.Storage;

/// <summary>
/// A memory-mapped file of fixed-size, big-endian entries, sorted by offset (see
/// <see cref="OffsetIndex"/>, <see cref="TimeIndex"/>). The active segment's index is preallocated to
/// <c>segment.index.bytes</c> and mapped whole; it is trimmed to its entries when the segment stops
/// being active and when it is closed, so a file's length is its entry count times the entry size.
/// <para>
/// Concurrency: one writer (the partition's append lock holder) writes an entry, then publishes the
/// new count with a volatile write; readers take no lock, read the count first and only touch
/// entries below it. The mapping is never shrunk or unmapped while readers may use it: trimming
/// only shortens the file (pages past the end are never touched), and unmapping happens at close
/// or after <c>file.delete.delay.ms</c>.
/// </para>
/// </summary>
internal abstract unsafe class AbstractIndex : IDisposable
{
    private readonly SafeFileHandle _file;
    private MemoryMappedFile? _mappedFile;
    private MemoryMappedViewAccessor? _view;
    private byte* _pointer;
    private int _entries;

    /// <summary>Opens (or creates) the file and maps the entries it holds; <see cref="Resize"/> makes room for more.</summary>
    protected AbstractIndex(string path, long baseOffset)
    {
        Path = path;
        BaseOffset = baseOffset;
        _file = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        long length = RandomAccess.GetLength(_file);
        LengthWasExact = length % EntrySize == 0 && length / EntrySize <= int.MaxValue;
        if (LengthWasExact)
        {
            _entries = (int)(length / EntrySize);
            Map(length);
        }
        // Otherwise the index is unusable and stays empty and unmapped until it is rebuilt (Reset).

    }

    public string Path { get; private set; }

    public long BaseOffset { get; }

    public abstract int EntrySize { get; }

    /// <summary>Entries the mapping has room for.</summary>
    public int MaxEntries { get; private set; }

    public int Entries => Volatile.Read(ref _entries);

    public virtual bool IsFull => Entries >= MaxEntries;

    /// <summary>False when the file's length was not a whole number of entries when it was opened.</summary>
    public bool LengthWasExact { get; }

    public long SizeInBytes => Entries * (long)EntrySize;

    protected ReadOnlySpan<byte> EntryBytes(int n) => new(_pointer + (long)n * EntrySize, EntrySize);

    /// <summary>Writes entry n (= the current count) and publishes it to readers.</summary>
    protected void AppendEntry(ReadOnlySpan<byte> entry)
    {
        int n = _entries;
        if (n >= MaxEntries)
        {
            throw new InvalidOperationException($"Index {Path} is full ({n} entries)");
        }
        entry.CopyTo(new Span<byte>(_pointer + (long)n * EntrySize, EntrySize));
        Volatile.Write(ref _entries, n + 1);
    }

    /// <summary>Forgets every entry and preallocates again (recovery rebuilds the index; no readers yet).</summary>
    public void Reset(int maxIndexSize)
    {
        Unmap();
        Volatile.Write(ref _entries, 0);
        RandomAccess.SetLength(_file, 0);
        Map(RoundDown(maxIndexSize));
    }

    /// <summary>Remaps with room for <paramref name="maxIndexSize"/> bytes (a loaded segment becoming active; no readers yet).</summary>
    public void Resize(int maxIndexSize)
    {
        Unmap();
        Map(Math.Max(RoundDown(maxIndexSize), SizeInBytes));
    }

    /// <summary>Cuts the preallocated tail off the file; no further entries can be added.</summary>
    public void TrimToValidSize()
    {
        MaxEntries = Entries;
        RandomAccess.SetLength(_file, SizeInBytes);
    }

    /// <summary>fsyncs the file; on Linux that also writes pages dirtied through the mapping.</summary>
    public void Flush() => RandomAccess.FlushToDisk(_file);

    /// <summary>Renames the file, replacing any file of that name.</summary>
    public void RenameTo(string path)
    {
        File.Move(Path, path, overwrite: true);
        Path = path;
    }

    public void Dispose()
    {
        if (_file.IsClosed)
        {
            return;
        }
        Unmap();
        if (RandomAccess.GetLength(_file) > SizeInBytes)
        {
            RandomAccess.SetLength(_file, SizeInBytes);
        }
        _file.Dispose();
    }

    private void Map(long capacity)
    {
        MaxEntries = (int)Math.Min(capacity / EntrySize, int.MaxValue);
        if (capacity == 0)
        {
            return; // an empty file cannot be mapped; no entries to read or room to write
        }
        _mappedFile = MemoryMappedFile.CreateFromFile(_file, null, capacity, MemoryMappedFileAccess.ReadWrite,
            HandleInheritability.None, leaveOpen: true);
        _view = _mappedFile.CreateViewAccessor(0, capacity, MemoryMappedFileAccess.ReadWrite);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointer = pointer + _view.PointerOffset;
    }

    private void Unmap()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _mappedFile!.Dispose();
            _view = null;
            _mappedFile = null;
            _pointer = null;
        }
    }

    private long RoundDown(int size) => size / EntrySize * (long)EntrySize;
}
