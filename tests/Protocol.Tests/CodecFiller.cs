using System.Collections;
using System.Reflection;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Protocol.Tests;

/// <summary>
/// Test helpers over every generated message: enumerates them, fills every field present at a
/// version with a non-default value (by reflection over <see cref="KafkaFieldAttribute"/>), and
/// encodes/decodes.
/// </summary>
internal static class CodecFiller
{
    public static readonly Type[] MessageTypes = typeof(ProduceRequest).Assembly.GetTypes()
        .Where(t => t.Namespace == "KafkaSharp.Protocol.Messages" && !t.IsNested && typeof(IKafkaMessage).IsAssignableFrom(t))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToArray();

    public static short LowestVersion(Type type) => (short)type.GetField("LowestVersion")!.GetValue(null)!;

    public static short HighestVersion(Type type) => (short)type.GetField("HighestVersion")!.GetValue(null)!;

    /// <summary>Every generated message at every version it defines.</summary>
    public static IEnumerable<object[]> EveryMessageVersion()
    {
        foreach (Type type in MessageTypes)
        {
            for (short version = LowestVersion(type); version <= HighestVersion(type); version++)
            {
                yield return [type.Name, version];
            }
        }
    }

    public static Type MessageType(string name) => MessageTypes.Single(t => t.Name == name);

    public static IKafkaMessage Create(string name) => (IKafkaMessage)Activator.CreateInstance(MessageType(name))!;

    /// <summary>A message of the type with every field present at <paramref name="version"/> set to a non-default value.</summary>
    public static IKafkaMessage Filled(string name, short version)
    {
        IKafkaMessage message = Create(name);
        int seed = 1;
        Fill(message, version, ref seed);
        return message;
    }

    public static void Fill(object target, short version, ref int seed)
    {
        foreach (PropertyInfo property in target.GetType().GetProperties())
        {
            KafkaFieldAttribute? field = property.GetCustomAttribute<KafkaFieldAttribute>();
            if (field is null || version < field.LowestVersion || version > field.HighestVersion)
            {
                continue;
            }
            property.SetValue(target, NonDefault(property.PropertyType, property.GetValue(target), version, ref seed));
        }
    }

    private static object NonDefault(Type type, object? current, short version, ref int seed)
    {
        seed++;
        if (type == typeof(bool))
        {
            return !(bool)current!;
        }
        if (type == typeof(sbyte))
        {
            return (sbyte)((sbyte)current! + 1 + seed % 50);
        }
        if (type == typeof(short))
        {
            return (short)((short)current! + 1 + seed % 1000);
        }
        if (type == typeof(ushort))
        {
            return (ushort)((ushort)current! + 1 + seed % 1000);
        }
        if (type == typeof(int))
        {
            return (int)current! == int.MaxValue ? 7 : (int)current! + 1 + seed * 7919;
        }
        if (type == typeof(uint))
        {
            return (uint)current! + 1 + (uint)seed * 7919;
        }
        if (type == typeof(long))
        {
            return (long)current! == long.MaxValue ? 7L : (long)current! + 1 + seed * 1_000_000_007L;
        }
        if (type == typeof(double))
        {
            return (double)current! + 0.5 + seed;
        }
        if (type == typeof(string))
        {
            // Non-ASCII on purpose: lengths are UTF-8 byte counts.
            return seed % 3 == 0 ? $"grüße-{seed}" : $"name-{seed}";
        }
        if (type == typeof(byte[]))
        {
            return new byte[] { 1, 2, (byte)seed };
        }
        if (type == typeof(KafkaUuid))
        {
            return new KafkaUuid(seed, -seed);
        }
        if (type == typeof(BaseRecords))
        {
            return new MemoryRecords(new byte[] { 0xde, 0xad, (byte)seed, 0xef, 0x01 });
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            Type element = type.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(type)!;
            object? elementDefault = element == typeof(string) ? "" : element.IsValueType ? Activator.CreateInstance(element) : null;
            for (int i = 0; i < 2; i++)
            {
                list.Add(typeof(IKafkaMessage).IsAssignableFrom(element)
                    ? NewFilled(element, version, ref seed)
                    : NonDefault(element, elementDefault, version, ref seed));
            }
            return list;
        }
        if (typeof(IKafkaMessage).IsAssignableFrom(type))
        {
            return NewFilled(type, version, ref seed);
        }
        throw new NotSupportedException($"No non-default value for {type}");
    }

    private static object NewFilled(Type type, short version, ref int seed)
    {
        object value = Activator.CreateInstance(type)!;
        Fill(value, version, ref seed);
        return value;
    }

    /// <summary>
    /// Asserts that every field present at <paramref name="version"/> has the same value in both
    /// messages (recursively), so a field both written and read nowhere cannot pass a round trip.
    /// </summary>
    public static void AssertSameFields(object expected, object actual, short version, string path)
    {
        foreach (PropertyInfo property in expected.GetType().GetProperties())
        {
            KafkaFieldAttribute? field = property.GetCustomAttribute<KafkaFieldAttribute>();
            if (field is null || version < field.LowestVersion || version > field.HighestVersion)
            {
                continue;
            }
            AssertSameValue(property.GetValue(expected), property.GetValue(actual), version, $"{path}.{property.Name}");
        }
    }

    private static void AssertSameValue(object? expected, object? actual, short version, string path)
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, path);
                break;
            case byte[] bytes:
                Assert.Equal(bytes, Assert.IsType<byte[]>(actual));
                break;
            case MemoryRecords records:
                Assert.Equal(records.Buffer.ToArray(), Assert.IsType<MemoryRecords>(actual).Buffer.ToArray());
                break;
            case IList list:
                var actualList = Assert.IsAssignableFrom<IList>(actual);
                Assert.True(list.Count == actualList.Count, path);
                for (int i = 0; i < list.Count; i++)
                {
                    AssertSameValue(list[i], actualList[i], version, $"{path}[{i}]");
                }
                break;
            case IKafkaMessage:
                Assert.NotNull(actual);
                AssertSameFields(expected, actual, version, path);
                break;
            default:
                Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
                break;
        }
    }

    /// <summary>Size, then write into a buffer of exactly that size; asserts the two agree.</summary>
    public static byte[] Encode(IKafkaMessage message, short version)
    {
        int size = message.Size(version);
        byte[] buffer = new byte[size];
        var writer = new KafkaWriter(buffer);
        message.Write(ref writer, version);
        Assert.Equal(size, writer.Position);
        return buffer;
    }

    /// <summary>Decodes a whole buffer; asserts no error and nothing left over.</summary>
    public static T Decode<T>(byte[] bytes, short version) where T : IKafkaMessage, new()
    {
        var message = new T();
        var reader = new KafkaReader(bytes);
        message.Read(ref reader, version);
        Assert.False(reader.HasError);
        Assert.Equal(0, reader.Remaining);
        return message;
    }

    public static IKafkaMessage Decode(string name, byte[] bytes, short version)
    {
        IKafkaMessage message = Create(name);
        var reader = new KafkaReader(bytes);
        message.Read(ref reader, version);
        Assert.False(reader.HasError, $"{name} v{version} did not decode");
        Assert.Equal(0, reader.Remaining);
        return message;
    }
}
