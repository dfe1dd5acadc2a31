using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace KafkaSharp.Storage.Cleaner;

/// <summary>A 128-bit digest of a record key: what the <see cref="OffsetMap"/> stores instead of the key.</summary>
internal readonly record struct KeyDigest(ulong High, ulong Low);

/// <summary>
/// Digests record keys for the <see cref="OffsetMap"/> with SipHash-2-4 and 128-bit output, under a
/// random secret key drawn once per instance.
/// <para>
/// Why this function: two keys with the same digest count as one key, so a collision would make
/// the cleaner delete the latest value of a key. Kafka uses MD5 (128 bits). The BCL's MD5 and
/// SHA-256 cost about 2.3 µs per key here (one OpenSSL call each), and the cleaner digests every
/// keyed record of the log on every pass; <c>HashCode</c> has 32 bits, and <c>System.IO.Hashing</c>
/// (XxHash128) is not in our package feed. SipHash is a keyed pseudo-random function: with 128
/// output bits an accidental collision among n keys has probability about n²/2¹²⁹, and since the
/// key is secret a producer cannot choose record keys that collide with another key (a chosen
/// collision with MD5 would be possible). It costs tens of nanoseconds for short keys. The digests
/// live only during one cleaning pass, so they need not be stable across instances.
/// </para>
/// </summary>
internal sealed class KeyDigester
{
    private readonly ulong _k0;
    private readonly ulong _k1;

    public KeyDigester() : this(RandomNumberGenerator.GetBytes(16))
    {
    }

    /// <param name="key">The 16-byte SipHash key.</param>
    public KeyDigester(ReadOnlySpan<byte> key)
    {
        if (key.Length != 16)
        {
            throw new ArgumentException("A SipHash key has 16 bytes", nameof(key));
        }
        _k0 = BinaryPrimitives.ReadUInt64LittleEndian(key);
        _k1 = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);
    }

    /// <summary>SipHash-2-4-128 of <paramref name="data"/>: High holds output bytes 0-7, Low bytes 8-15, each read little-endian.</summary>
    public KeyDigest Digest(ReadOnlySpan<byte> data)
    {
        ulong v0 = _k0 ^ 0x736f6d6570736575UL;
        ulong v1 = _k1 ^ 0x646f72616e646f6dUL ^ 0xee;
        ulong v2 = _k0 ^ 0x6c7967656e657261UL;
        ulong v3 = _k1 ^ 0x7465646279746573UL;

        int wholeWords = data.Length & ~7;
        for (int i = 0; i < wholeWords; i += 8)
        {
            ulong m = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }
        ulong last = (ulong)data.Length << 56;
        var tail = data[wholeWords..];
        for (int i = 0; i < tail.Length; i++)
        {
            last |= (ulong)tail[i] << (8 * i);
        }
        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;

        v2 ^= 0xee;
        for (int i = 0; i < 4; i++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }
        ulong first = v0 ^ v1 ^ v2 ^ v3;
        v1 ^= 0xdd;
        for (int i = 0; i < 4; i++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }
        return new KeyDigest(first, v0 ^ v1 ^ v2 ^ v3);
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}
