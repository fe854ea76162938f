using Orleans.Storage;

namespace PayApi.Storage.DynamoDB;

/// <summary>
/// Per-provider options of <see cref="DynamoDBGrainStorage"/>: only the serializer. Where the table is comes
/// from the shared <see cref="DynamoDBOptions"/>.
/// </summary>
public sealed class DynamoDBGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>
    /// Serializer for state payloads. When hosted in a silo and left unset, the silo's default
    /// <see cref="IGrainStorageSerializer"/> is filled in, as for Orleans' own providers.
    /// </summary>
    public IGrainStorageSerializer? GrainStorageSerializer { get; set; }

    // Orleans' post-configurator reads and fills the serializer through this interface; the storage
    // constructor refuses a null serializer with a message naming the setting.
    IGrainStorageSerializer IStorageProviderSerializerOptions.GrainStorageSerializer
    {
        get => GrainStorageSerializer!;
        set => GrainStorageSerializer = value;
    }
}
