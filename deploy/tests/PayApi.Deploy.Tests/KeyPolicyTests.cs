using System.Text.Json;

namespace PayApi.Deploy.Tests;

/// <summary>
/// The key policy: the task role may wrap and unwrap data keys only under the encryption context the service sends
/// (src/PayApi.Vault.Kms/KmsEncryptionContext.cs), and use the key otherwise only through DynamoDB or S3 for the
/// stack's own tables and bucket; the account administers the key but is given no cryptographic use of it directly.
/// </summary>
[Collection(StacksCollection.Name)]
public sealed class KeyPolicyTests(SynthesizedStacks stacks)
{
    private static readonly HashSet<string> CryptoActions =
    [
        "kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
        "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext", "kms:CreateGrant",
    ];

    private List<JsonElement> Statements =>
        stacks.PrimaryJson.Single("AWS::KMS::Key").Properties.GetProperty("KeyPolicy").GetProperty("Statement").EnumerateArray().ToList();

    private string TaskRoleId => stacks.PrimaryJson.Resources("AWS::IAM::Role")
        .Single(r => r.Properties.GetProperty("AssumeRolePolicyDocument").GetRawText().Contains("ecs-tasks.amazonaws.com", StringComparison.Ordinal)
            && r.Id.StartsWith("TaskRole", StringComparison.Ordinal)).Id;

    private bool NamesTaskRole(JsonElement statement) => statement.GetProperty("Principal").GetProperty("AWS").ReferencedId() == TaskRoleId;

    private static List<string> Actions(JsonElement statement) => statement.GetProperty("Action").AsList().Select(a => a.GetString()!).ToList();

    [Fact]
    public void The_task_role_wraps_data_keys_only_under_the_service_encryption_context()
    {
        var statement = Assert.Single(Statements, s => NamesTaskRole(s) && Actions(s).Contains("kms:GenerateDataKey") && !s.GetRawText().Contains("kms:ViaService", StringComparison.Ordinal));
        Assert.Equal(["kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"], Actions(statement).Order());

        var condition = statement.GetProperty("Condition");
        Assert.Equal(ServiceContract.DataKeyPurpose, condition.GetProperty("StringEquals").GetProperty("kms:EncryptionContext:payapi:purpose").GetString());
        Assert.Equal(
            [ServiceContract.ContextClientId, ServiceContract.ContextConnectionId, ServiceContract.ContextPurpose],
            condition.GetProperty("ForAllValues:StringEquals").GetProperty("kms:EncryptionContextKeys").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal("false", condition.GetProperty("Null").GetProperty("kms:EncryptionContext:payapi:client_id").GetString());
        Assert.Equal("false", condition.GetProperty("Null").GetProperty("kms:EncryptionContext:payapi:connection_id").GetString());
    }

    [Fact]
    public void Every_other_grant_to_the_task_role_is_describe_or_through_s3_for_the_bucket()
    {
        var others = Statements.Where(NamesTaskRole).Where(s => !s.GetRawText().Contains("kms:EncryptionContext:payapi:purpose", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, others.Count);
        Assert.Contains(others, s => Actions(s).SequenceEqual(["kms:DescribeKey"]) && !s.TryGetProperty("Condition", out _));

        var viaS3 = Assert.Single(others, s => s.TryGetProperty("Condition", out _));
        Assert.Equal(["kms:Decrypt", "kms:GenerateDataKey"], Actions(viaS3).Order());
        var equals = viaS3.GetProperty("Condition").GetProperty("StringEquals");
        Assert.Equal("s3.eu-west-1.amazonaws.com", equals.GetProperty("kms:ViaService").GetString());
        Assert.Equal("arn:{Ref:AWS::Partition}:s3:::payapi-prod-bundles-{Ref:AWS::AccountId}-eu-west-1", equals.GetProperty("kms:EncryptionContext:aws:s3:arn").Flatten());
        // The bucket the condition names is the bucket the stack creates.
        var bucket = stacks.PrimaryJson.Single("AWS::S3::Bucket").Properties;
        Assert.Equal("payapi-prod-bundles-{Ref:AWS::AccountId}-eu-west-1", bucket.GetProperty("BucketName").Flatten());
    }

    [Fact]
    public void The_account_gets_cryptographic_use_only_through_dynamodb_of_its_own()
    {
        foreach (var statement in Statements.Where(s => !NamesTaskRole(s)))
        {
            var crypto = Actions(statement).Where(CryptoActions.Contains).ToList();
            if (crypto.Count == 0)
            {
                continue;
            }

            var equals = statement.GetProperty("Condition").GetProperty("StringEquals");
            Assert.Equal("dynamodb.eu-west-1.amazonaws.com", equals.GetProperty("kms:ViaService").GetString());
            Assert.Equal("{Ref:AWS::AccountId}", equals.GetProperty("kms:CallerAccount").Flatten());
        }

        // The administrators' statement keeps the key manageable (no lock-out) without using it.
        var admin = Assert.Single(Statements, s => Actions(s).Contains("kms:PutKeyPolicy"));
        Assert.DoesNotContain(Actions(admin), CryptoActions.Contains);
        Assert.Contains("kms:ScheduleKeyDeletion", Actions(admin));
    }
}
