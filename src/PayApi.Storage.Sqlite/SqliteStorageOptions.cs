using Orleans.Storage;

namespace PayApi.Storage.Sqlite;

/// <summary>
/// Options for <see cref="SqliteGrainStorage"/>. Set exactly one of <see cref="DatabasePath"/> or
/// <see cref="ConnectionString"/>.
/// </summary>
public sealed class SqliteStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>Path of the database file (created with its directory if missing), e.g. <c>&lt;data dir&gt;/payapi.db</c>.</summary>
    public string? DatabasePath { get; set; }

    /// <summary>A Microsoft.Data.Sqlite connection string, for callers that need extra keywords.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Serializer for state payloads. When hosted in a silo and left unset, the silo's default
    /// <see cref="IGrainStorageSerializer"/> is filled in, as for Orleans' own providers.
    /// </summary>
    public IGrainStorageSerializer? GrainStorageSerializer { get; set; }

    // Orleans' post-configurator reads and fills the serializer through this interface; the
    // storage constructor refuses a null serializer with a message naming the setting.
    IGrainStorageSerializer IStorageProviderSerializerOptions.GrainStorageSerializer
    {
        get => GrainStorageSerializer!;
        set => GrainStorageSerializer = value;
    }
}
