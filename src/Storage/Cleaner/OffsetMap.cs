namespace KafkaSharp.Storage.Cleaner;

/// <summary>
/// Record key -> the latest offset seen for it in the dirty section of a log, in bounded memory
/// (Kafka's SkimpyOffsetMap). Keys are stored as 128-bit digests (<see cref="KeyDigester"/>), so an
/// entry is 24 bytes whatever the key's size:
/// <code>
/// entry:  uint64 digest high   uint64 digest low   int64 offset + 1 (0: empty slot)
/// </code>
/// in one open-addressing table with linear probing. The table holds at most
/// <c>log.cleaner.dedupe.buffer.size</c> / 24 slots and is filled to at most
/// <c>log.cleaner.io.buffer.load.factor</c> of them; a pass that needs fewer (its dirty offsets span
/// fewer) gets a smaller table, so a small log does not cost the whole buffer. When the map is full
/// the cleaner stops indexing there and cleans up to that point; the rest stays dirty for the next pass.
/// </summary>
internal sealed class OffsetMap
{
    public const int BytesPerEntry = 24;

    private readonly int _maxSlots;
    private readonly double _loadFactor;
    private readonly KeyDigester _digester;
    private Entry[] _entries = [];
    private int _slots;
    private int _maxEntries;

    /// <param name="memoryBytes"><c>log.cleaner.dedupe.buffer.size</c> (divided among cleaner threads; we run one).</param>
    /// <param name="loadFactor"><c>log.cleaner.io.buffer.load.factor</c>.</param>
    public OffsetMap(long memoryBytes, double loadFactor, KeyDigester digester)
    {
        _maxSlots = (int)Math.Min(memoryBytes / BytesPerEntry, Array.MaxLength);
        _loadFactor = loadFactor;
        _digester = digester;
        if (_maxSlots < 2 || (int)(_maxSlots * loadFactor) < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(memoryBytes),
                "The offset map cannot hold a single key: raise log.cleaner.dedupe.buffer.size or log.cleaner.io.buffer.load.factor");
        }
    }

    /// <summary>Distinct keys in the map.</summary>
    public int Count { get; private set; }

    /// <summary>The last offset the map covers: every keyed record up to it is in the map; -1 before any.</summary>
    public long LatestOffset { get; private set; } = -1;

    /// <summary>Keys the map accepts before it is full.</summary>
    public int MaxEntries => _maxEntries;

    /// <summary>
    /// Empties the map for a pass over at most <paramref name="expectedKeys"/> keys (the dirty offset
    /// span is an upper bound), sized up to the memory limit.
    /// </summary>
    public void Clear(long expectedKeys, long latestOffset)
    {
        long wanted = (long)Math.Ceiling(Math.Max(expectedKeys, 1) / _loadFactor) + 1;
        _slots = (int)Math.Min(wanted, _maxSlots);
        if (_entries.Length < _slots)
        {
            _entries = new Entry[_slots];
        }
        else
        {
            Array.Clear(_entries, 0, _slots);
        }
        // One slot always stays empty, so a lookup of a missing key ends.
        _maxEntries = Math.Clamp((int)(_slots * _loadFactor), 1, _slots - 1);
        Count = 0;
        LatestOffset = latestOffset;
    }

    /// <summary>
    /// Records <paramref name="offset"/> as the latest offset of <paramref name="key"/>. False, with
    /// the map unchanged, when the key is new and the map is full.
    /// </summary>
    public bool TryPut(ReadOnlySpan<byte> key, long offset)
    {
        var digest = _digester.Digest(key);
        int slot = FindSlot(digest);
        ref var entry = ref _entries[slot];
        if (entry.OffsetPlusOne == 0)
        {
            if (Count >= _maxEntries)
            {
                return false;
            }
            entry.High = digest.High;
            entry.Low = digest.Low;
            Count++;
        }
        entry.OffsetPlusOne = offset + 1;
        return true;
    }

    /// <summary>The latest offset recorded for <paramref name="key"/>, or -1 when it is not in the map.</summary>
    public long Get(ReadOnlySpan<byte> key)
    {
        var entry = _entries[FindSlot(_digester.Digest(key))];
        return entry.OffsetPlusOne - 1;
    }

    public void UpdateLatestOffset(long offset) => LatestOffset = Math.Max(LatestOffset, offset);

    /// <summary>The slot holding <paramref name="digest"/>, or the empty slot where it would go.</summary>
    private int FindSlot(KeyDigest digest)
    {
        int slot = (int)(digest.High % (ulong)_slots);
        while (true)
        {
            ref var entry = ref _entries[slot];
            if (entry.OffsetPlusOne == 0 || (entry.High == digest.High && entry.Low == digest.Low))
            {
                return slot;
            }
            slot = slot + 1 == _slots ? 0 : slot + 1;
        }
    }

    private struct Entry
    {
        public ulong High;
        public ulong Low;
        public long OffsetPlusOne;
    }
}
