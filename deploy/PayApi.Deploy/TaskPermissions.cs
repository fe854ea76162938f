using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.KMS;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.DynamoDB;

namespace PayApi.Deploy;

/// <summary>
/// The task role's identity policy, written out statement by statement instead of CDK's <c>grant*</c> helpers (which
/// add <c>kms:ReEncrypt*</c>, <c>kms:GenerateDataKey*</c> and index wildcards). Every action is named; every resource
/// is one of the stack's own: the five tables, the key, the bucket's two prefixes, the two log streams the collector
/// writes. The one exception is X-Ray's PutTraceSegments, which AWS authorizes on no resource but <c>*</c>.
/// The key's own policy (EncryptionKey) grants the data key calls.
/// </summary>
public static class TaskPermissions
{
    /// <summary>Actions AWS authorizes only on <c>"Resource": "*"</c> (no resource-level permissions exist for them).</summary>
    public static readonly string[] ResourceLessActions = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "ecr:GetAuthorizationToken"];

    public const string MetricsLogStream = "otel-metrics";
    public const string OtlpLogStream = "otlp-logs";

    public static void Apply(IRole taskRole, DataTables tables, IKey key, string bucketArn, ILogGroup appLogs, ILogGroup metricLogs)
    {
        taskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ClusterTables",
            Actions = ServiceContract.DynamoDBActions,
            Resources = tables.All.Select(t => t.TableArn).ToArray(),
        }));

        // DynamoDB uses the key on the caller's behalf when it reads or writes an encrypted table.
        taskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "TablesEncryptionKeyThroughDynamoDB",
            Actions = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            Resources = [key.KeyArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["kms:ViaService"] = $"dynamodb.{Aws.REGION}.amazonaws.com" },
            },
        }));

        taskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "BucketObjectsUnderTheServicePrefixes",
            Actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resources =
            [
                $"{bucketArn}/{ServiceContract.ArtifactsPrefix}*",
                $"{bucketArn}/{ServiceContract.ProviderDataPrefix}*",
            ],
        }));

        taskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "ListTheServicePrefixes",
            Actions = ["s3:ListBucket"],
            Resources = [bucketArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringLike"] = new Dictionary<string, object>
                {
                    ["s3:prefix"] = new[] { ServiceContract.ArtifactsPrefix + "*", ServiceContract.ProviderDataPrefix + "*" },
                },
            },
        }));

        // The collector sidecar (deploy/otel-collector.yaml) writes one named stream in each group.
        taskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CollectorLogStreams",
            Actions = ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resources =
            [
                GroupArn(metricLogs), StreamArn(metricLogs, MetricsLogStream),
                GroupArn(appLogs), StreamArn(appLogs, OtlpLogStream),
            ],
        }));

        taskRole.AddToPrincipalPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Sid = "CollectorTracesToXRay",
            Actions = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            Resources = ["*"],
        }));
    }

    private static string GroupArn(ILogGroup group) =>
        $"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:{group.LogGroupName}";

    private static string StreamArn(ILogGroup group, string stream) => $"{GroupArn(group)}:log-stream:{stream}";
}
