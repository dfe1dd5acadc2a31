using KafkaSharp.Broker.Handlers;

namespace KafkaSharp.Broker;

/// <summary>
/// The registered handlers, indexed by API key for the dispatcher (one array lookup per request),
/// and the only source of what ApiVersions advertises: nothing without a handler is announced.
/// </summary>
public sealed class ApiVersionsRegistry
{
    private readonly ApiHandler?[] _byKey;

    /// <exception cref="ArgumentException">Two handlers for one API key.</exception>
    public ApiVersionsRegistry(IEnumerable<ApiHandler> handlers)
    {
        var sorted = new List<ApiHandler>(handlers);
        sorted.Sort((a, b) => ((short)a.ApiKey).CompareTo((short)b.ApiKey));
        var maxKey = sorted.Count == 0 ? -1 : (short)sorted[^1].ApiKey;
        _byKey = new ApiHandler?[maxKey + 1];
        foreach (var handler in sorted)
        {
            var key = (short)handler.ApiKey;
            if (key < 0)
            {
                throw new ArgumentException($"{handler.GetType().Name} declares negative API key {key}");
            }
            if (_byKey[key] is { } existing)
            {
                throw new ArgumentException(
                    $"{handler.GetType().Name} and {existing.GetType().Name} both handle {handler.ApiKey}");
            }
            if (handler.Versions.Min > handler.Versions.Max ||
                handler.AdvertisedVersions.Min > handler.Versions.Min || handler.AdvertisedVersions.Max != handler.Versions.Max)
            {
                throw new ArgumentException(
                    $"{handler.GetType().Name}: versions {handler.Versions} / advertised {handler.AdvertisedVersions} are inconsistent");
            }
            _byKey[key] = handler;
        }
        Handlers = sorted;
    }

    /// <summary>Every registered handler, by increasing API key.</summary>
    public IReadOnlyList<ApiHandler> Handlers { get; }

    /// <summary>The handler for <paramref name="apiKey"/>, or null if the API is not served.</summary>
    public ApiHandler? Find(short apiKey) => (uint)apiKey < (uint)_byKey.Length ? _byKey[apiKey] : null;
}
