using Amazon.CDK;
using Amazon.CDK.AWS.DynamoDB;
using Amazon.CDK.AWS.KMS;
using Constructs;
using DynamoAttribute = Amazon.CDK.AWS.DynamoDB.Attribute;

namespace PayApi.Deploy;

/// <summary>
/// The cluster's five DynamoDB tables, shaped as the service creates them when it may (ServiceContract): on-demand,
/// encrypted with the customer managed key, TTL where the code writes one. Point-in-time recovery follows SECURITY.md
/// ("Backups — the honest recovery window on DynamoDB"): on for grain state and reminders; on with the shortest
/// window (1 day) for the wrapped data keys, so a restore cannot bring a disconnected connection's key back after a
/// day yet an accident can still be undone; off for membership (rebuilt by the silos) and provider data (ciphertexts
/// fetched again from the providers).
/// </summary>
public sealed class DataTables : Construct
{
    public const int DataKeysRecoveryDays = 1;

    public DataTables(Construct scope, string id, DeploySettings settings, IKey key)
        : base(scope, id)
    {
        Membership = Create(settings, key, ServiceContract.Membership, pointInTimeRecovery: false, retain: false);
        GrainState = Create(settings, key, ServiceContract.GrainState, pointInTimeRecovery: true, retain: true);
        Reminders = Create(settings, key, ServiceContract.Reminders, pointInTimeRecovery: true, retain: true);
        DataKeys = Create(settings, key, ServiceContract.DataKeys, pointInTimeRecovery: true, retain: true);
        ProviderData = Create(settings, key, ServiceContract.ProviderData, pointInTimeRecovery: false, retain: true);

        // CDK 2.160's Table has no property for the recovery period yet; CloudFormation has (RecoveryPeriodInDays).
        ((CfnTable)DataKeys.Node.DefaultChild!).AddPropertyOverride("PointInTimeRecoverySpecification.RecoveryPeriodInDays", DataKeysRecoveryDays);
    }

    public Table Membership { get; }

    public Table GrainState { get; }

    public Table Reminders { get; }

    public Table DataKeys { get; }

    public Table ProviderData { get; }

    public IReadOnlyList<Table> All => [Membership, GrainState, Reminders, DataKeys, ProviderData];

    private Table Create(DeploySettings settings, IKey key, ServiceContract.TableShape shape, bool pointInTimeRecovery, bool retain) =>
        new(this, shape.Suffix, new TableProps
        {
            TableName = settings.TablePrefix + shape.Suffix,
            PartitionKey = new DynamoAttribute { Name = shape.PartitionKey, Type = AttributeType.STRING },
            SortKey = shape.SortKey is null ? null : new DynamoAttribute { Name = shape.SortKey, Type = AttributeType.STRING },
            TimeToLiveAttribute = shape.TimeToLiveAttribute,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            Encryption = TableEncryption.CUSTOMER_MANAGED,
            EncryptionKey = key,
            PointInTimeRecovery = pointInTimeRecovery,
            DeletionProtection = retain,
            RemovalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        });
}
