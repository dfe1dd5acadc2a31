namespace KafkaSharp.Broker.Handlers;

/// <summary>An inclusive range of versions of one API.</summary>
public readonly record struct ApiVersionRange(short Min, short Max)
{
    public bool Contains(short version) => version >= Min && version <= Max;

    public override string ToString() => $"{Min}-{Max}";
}
