namespace PayApi.Deploy;

/// <summary>
/// What the infrastructure must agree on with the service's code. This project references no service project (the
/// CDK app must not pull Orleans into a synth), so the facts are copied here, each with the file that decides it;
/// the deploy tests check the template against these, and a change there must be made here too.
/// </summary>
public static class ServiceContract
{
    /// <summary>A DynamoDB table the service uses: its name after the prefix, keys (all strings) and TTL attribute.</summary>
    public sealed record TableShape(string Suffix, string PartitionKey, string? SortKey, string? TimeToLiveAttribute);

    /// <summary>
    /// The five tables (src/PayApi.Storage.DynamoDB/DynamoDBOptions.cs names them; DynamoDBMembershipRows.cs,
    /// DynamoDBGrainStorage.cs, DynamoDBReminderTable.cs, DynamoDBDataKeyStore.cs and DynamoDBChunkStore.cs give their
    /// keys; only membership rows carry a TTL, <c>expires_at</c>, a week after a silo's death).
    /// </summary>
    public static readonly TableShape Membership = new("membership", "cluster", "row", "expires_at");
    public static readonly TableShape GrainState = new("grain-state", "pk", null, null);
    public static readonly TableShape Reminders = new("reminders", "pk", "sk", null);
    public static readonly TableShape DataKeys = new("data-keys", "connection_id", null, null);
    public static readonly TableShape ProviderData = new("provider-data", "connection_id", "name", null);

    public static IReadOnlyList<TableShape> Tables { get; } = [Membership, GrainState, Reminders, DataKeys, ProviderData];

    /// <summary>
    /// The DynamoDB calls the service makes (every <c>client.*Async</c> in src/PayApi.Storage.DynamoDB; a
    /// TransactWriteItems is authorized per item as PutItem/UpdateItem/DeleteItem/ConditionCheckItem). No CreateTable
    /// or UpdateTimeToLive: the stack owns the tables and the service runs with <c>PayApi:DynamoDB:CreateTables=false</c>.
    /// </summary>
    public static readonly string[] DynamoDBActions =
    [
        "dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
        "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchWriteItem",
    ];

    /// <summary>
    /// The KMS encryption context of every data key (src/PayApi.Vault.Kms/KmsEncryptionContext.cs): connection data
    /// keys, the token signing key's and failure bundles' keys all go through it, always with these three keys and
    /// <c>payapi:purpose=data_key</c>.
    /// </summary>
    public const string ContextClientId = "payapi:client_id";
    public const string ContextConnectionId = "payapi:connection_id";
    public const string ContextPurpose = "payapi:purpose";
    public const string DataKeyPurpose = "data_key";

    /// <summary>
    /// The S3 key prefixes (src/PayApi.Storage.S3/S3Options.cs <c>KeyPrefix</c> = <c>artifacts/</c> for failure bundles;
    /// src/PayApi.Storage.DynamoDB/DynamoDBChunkStore.cs puts provider data chunks over 64 KiB under <c>provider-data/</c>).
    /// </summary>
    public const string ArtifactsPrefix = "artifacts/";
    public const string ProviderDataPrefix = "provider-data/";

    /// <summary>
    /// How long failure bundles live (src/PayApi.Scraping/FailureBundleStore.cs <c>Retention</c>: the sweep deletes bundles after 5 days; the bucket's
    /// lifecycle rule is the backstop for a sweep that did not run).
    /// </summary>
    public const int FailureBundleDays = 5;

    /// <summary>Ports (src/PayApi.Host/PayApiSettings.cs defaults; the image EXPOSEs them).</summary>
    public const int HttpPort = 8080;
    public const int SiloPort = 11111;
    public const int GatewayPort = 30000;

    /// <summary>
    /// Graceful leave: the host's <c>PayApi:Orleans:ShutdownTimeout</c> (requests finish, grains deactivate, the silo
    /// leaves the membership table); ECS waits <see cref="StopTimeoutSeconds"/> after SIGTERM before SIGKILL, so the
    /// leave is never cut short.
    /// </summary>
    public const int ShutdownTimeoutSeconds = 45;
    public const int StopTimeoutSeconds = 60;

    /// <summary>
    /// The log line the gateway writes for every <c>503 dependency_unavailable</c> (src/PayApi.Gateway/Http/ProblemMiddleware.cs,
    /// <c>LogDependencyFailure</c>): "Request {RequestId}: a dependency failed with {ExceptionType}".
    /// </summary>
    public const string DependencyFailureLogText = "a dependency failed with";

    /// <summary>
    /// Orleans 10's own log lines when a silo's status changes (it joins, leaves or is declared dead): logged by
    /// Orleans.Runtime.MembershipService at Information, which the host filters out unless the container's
    /// <c>Logging__LogLevel__Orleans.Runtime.MembershipService</c> turns them back on (the stack does).
    /// </summary>
    public static readonly string[] MembershipChangeLogTexts =
    [
        "Successfully updated my Status in the membership table to",
        "Going to DeclareDead silo",
    ];

    /// <summary>
    /// The browser pool's queue length (OpenTelemetry up-down counter <c>payapi.browser.queue</c>: jobs waiting for a
    /// browser slot), exported through the collector's EMF exporter.
    /// </summary>
    public const string BrowserQueueMetric = "payapi.browser.queue";
}
