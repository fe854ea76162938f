using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Constructs;

namespace PayApi.Deploy;

/// <summary>
/// The customer managed key: wraps the service's data keys (KMS keyring), and encrypts the tables and the bucket at
/// rest. Automatic yearly rotation on. Its key policy is written out whole, with no <c>kms:*</c> and no grant beyond:
/// <list type="bullet">
/// <item>the account administers the key (no cryptographic use through this statement);</item>
/// <item>the task role wraps and unwraps data keys only under the service's encryption context;</item>
/// <item>DynamoDB and S3 use it for the stack's tables and bucket on behalf of principals of this account only.</item>
/// </list>
/// In a key policy <c>"Resource": "*"</c> means "this key": it is the only resource a key policy can name.
/// </summary>
public sealed class EncryptionKey : Construct
{
    /// <summary>What the account's administrators (through their IAM policies) may do with the key: manage it, never use it.</summary>
    public static readonly string[] AdministrationActions =
    [
        "kms:CancelKeyDeletion", "kms:CreateAlias", "kms:DeleteAlias", "kms:DescribeKey", "kms:DisableKey", "kms:DisableKeyRotation",
        "kms:EnableKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListAliases", "kms:ListGrants",
        "kms:ListKeyPolicies", "kms:ListKeyRotations", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:RevokeGrant",
        "kms:RotateKeyOnDemand", "kms:ScheduleKeyDeletion", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
        "kms:UpdateKeyDescription",
    ];

    /// <summary>
    /// The task role's data key calls (src/PayApi.Vault.Kms/KmsKeyring.cs): GenerateDataKey, Decrypt, and for
    /// <c>POST /admin/v1/keys/rewrap</c> between KMS keys ReEncrypt (authorized as ReEncryptFrom and ReEncryptTo; spelled
    /// out rather than <c>kms:ReEncrypt*</c>).
    /// </summary>
    public static readonly string[] DataKeyActions = ["kms:GenerateDataKey", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo"];

    /// <summary>What DynamoDB needs, on behalf of the table's creator and users, to encrypt a table with this key.</summary>
    public static readonly string[] DynamoDBActions =
    [
        "kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
        "kms:DescribeKey", "kms:CreateGrant",
    ];

    public EncryptionKey(Construct scope, string id, DeploySettings settings, IRole taskRole, string bucketArn)
        : base(scope, id)
    {
        var account = Aws.ACCOUNT_ID;
        var region = settings.Region;
        var accountRoot = new AccountRootPrincipal();

        var policy = new PolicyDocument();
        policy.AddStatements(
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "AccountAdministersTheKey",
                Principals = [accountRoot],
                Actions = AdministrationActions,
                Resources = ["*"],
            }),
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "TaskRoleWrapsDataKeysUnderTheServiceContext",
                Principals = [taskRole],
                Actions = DataKeyActions,
                Resources = ["*"],
                Conditions = new Dictionary<string, object>
                {
                    ["StringEquals"] = new Dictionary<string, object> { ["kms:EncryptionContext:" + ServiceContract.ContextPurpose] = ServiceContract.DataKeyPurpose },
                    ["ForAllValues:StringEquals"] = new Dictionary<string, object>
                    {
                        ["kms:EncryptionContextKeys"] = new[] { ServiceContract.ContextClientId, ServiceContract.ContextConnectionId, ServiceContract.ContextPurpose },
                    },
                    ["Null"] = new Dictionary<string, object>
                    {
                        ["kms:EncryptionContext:" + ServiceContract.ContextClientId] = "false",
                        ["kms:EncryptionContext:" + ServiceContract.ContextConnectionId] = "false",
                    },
                },
            }),
            // The keyring resolves the configured key id to its ARN once at start (DescribeKey takes no encryption context).
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "TaskRoleReadsTheKeyArn",
                Principals = [taskRole],
                Actions = ["kms:DescribeKey"],
                Resources = ["*"],
            }),
            // DynamoDB encrypts the tables with this key: CloudFormation's role creates them (CreateGrant), the task role
            // reads and writes them; both only through DynamoDB in this region, only principals of this account.
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "DynamoDBTablesOfThisAccount",
                Principals = [accountRoot],
                Actions = DynamoDBActions,
                Resources = ["*"],
                Conditions = new Dictionary<string, object>
                {
                    ["StringEquals"] = new Dictionary<string, object>
                    {
                        ["kms:ViaService"] = $"dynamodb.{region}.amazonaws.com",
                        ["kms:CallerAccount"] = account,
                    },
                },
            }),
            // S3 encrypts failure bundles and large chunks with this key (SSE-KMS with an S3 bucket key, whose encryption
            // context is the bucket's ARN): for the task role, through S3, for this bucket only.
            new PolicyStatement(new PolicyStatementProps
            {
                Sid = "TaskRoleObjectsOfTheBucket",
                Principals = [taskRole],
                Actions = ["kms:GenerateDataKey", "kms:Decrypt"],
                Resources = ["*"],
                Conditions = new Dictionary<string, object>
                {
                    ["StringEquals"] = new Dictionary<string, object>
                    {
                        ["kms:ViaService"] = $"s3.{region}.amazonaws.com",
                        ["kms:EncryptionContext:aws:s3:arn"] = bucketArn,
                    },
                },
            }));

        Key = new Key(this, "Key", new KeyProps
        {
            Description = $"PayApi {settings.EnvironmentName}: wraps connection data keys; encrypts the tables and the failure bundle bucket",
            Alias = $"alias/payapi-{settings.EnvironmentName}",
            EnableKeyRotation = true,
            RotationPeriod = Duration.Days(365),
            PendingWindow = Duration.Days(30),
            Policy = policy,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
    }

    public Key Key { get; }
}
