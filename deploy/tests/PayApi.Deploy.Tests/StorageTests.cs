using System.Text.Json;
using Amazon.CDK.Assertions;

namespace PayApi.Deploy.Tests;

/// <summary>The tables, the bucket and the key: shapes the service expects, encryption, retention.</summary>
[Collection(StacksCollection.Name)]
public sealed class StorageTests(SynthesizedStacks stacks)
{
    private static Dictionary<string, object> Props(params (string Key, object Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    private string KeyId => stacks.PrimaryJson.Single("AWS::KMS::Key").Id;

    [Fact]
    public void Every_table_has_the_services_name_and_keys_is_on_demand_and_encrypted_with_the_key()
    {
        var tables = stacks.PrimaryJson.Resources("AWS::DynamoDB::Table");
        Assert.Equal(ServiceContract.Tables.Count, tables.Count);
        foreach (var shape in ServiceContract.Tables)
        {
            var (_, table) = tables.Single(t => t.Properties.GetProperty("TableName").GetString() == "payapi-prod-" + shape.Suffix);
            Assert.Equal("PAY_PER_REQUEST", table.GetProperty("BillingMode").GetString());

            var keys = table.GetProperty("KeySchema").EnumerateArray()
                .ToDictionary(k => k.GetProperty("KeyType").GetString()!, k => k.GetProperty("AttributeName").GetString());
            Assert.Equal(shape.PartitionKey, keys["HASH"]);
            Assert.Equal(shape.SortKey, keys.GetValueOrDefault("RANGE"));
            Assert.All(table.GetProperty("AttributeDefinitions").EnumerateArray(), a => Assert.Equal("S", a.GetProperty("AttributeType").GetString()));

            var sse = table.GetProperty("SSESpecification");
            Assert.True(sse.GetProperty("SSEEnabled").GetBoolean());
            Assert.Equal("KMS", sse.GetProperty("SSEType").GetString());
            Assert.Equal(KeyId, sse.GetProperty("KMSMasterKeyId").ReferencedId());

            if (shape.TimeToLiveAttribute is null)
            {
                Assert.False(table.TryGetProperty("TimeToLiveSpecification", out _), shape.Suffix + " has a TTL the code does not write");
            }
            else
            {
                var ttl = table.GetProperty("TimeToLiveSpecification");
                Assert.True(ttl.GetProperty("Enabled").GetBoolean());
                Assert.Equal(shape.TimeToLiveAttribute, ttl.GetProperty("AttributeName").GetString());
            }
        }
    }

    [Fact]
    public void Point_in_time_recovery_is_on_for_grain_state_and_one_day_for_the_wrapped_keys()
    {
        JsonElement? Pitr(string suffix)
        {
            var table = stacks.PrimaryJson.Resources("AWS::DynamoDB::Table")
                .Single(t => t.Properties.GetProperty("TableName").GetString() == "payapi-prod-" + suffix).Properties;
            return table.TryGetProperty("PointInTimeRecoverySpecification", out var p) ? p : null;
        }

        Assert.True(Pitr("grain-state")!.Value.GetProperty("PointInTimeRecoveryEnabled").GetBoolean());
        Assert.False(Pitr("grain-state")!.Value.TryGetProperty("RecoveryPeriodInDays", out _)); // the full 35 days
        Assert.True(Pitr("reminders")!.Value.GetProperty("PointInTimeRecoveryEnabled").GetBoolean());

        var dataKeys = Pitr("data-keys")!.Value;
        Assert.True(dataKeys.GetProperty("PointInTimeRecoveryEnabled").GetBoolean());
        Assert.Equal(DataTables.DataKeysRecoveryDays, dataKeys.GetProperty("RecoveryPeriodInDays").GetInt32());
        Assert.Equal(1, DataTables.DataKeysRecoveryDays);

        foreach (var off in new[] { "membership", "provider-data" })
        {
            var spec = Pitr(off);
            Assert.True(spec is null || !spec.Value.GetProperty("PointInTimeRecoveryEnabled").GetBoolean(), off);
        }
    }

    [Fact]
    public void The_key_rotates_and_is_kept()
    {
        stacks.Primary.HasResourceProperties("AWS::KMS::Key", Props(("EnableKeyRotation", true), ("RotationPeriodInDays", 365)));
        stacks.Primary.HasResource("AWS::KMS::Key", Props(("DeletionPolicy", "Retain"), ("UpdateReplacePolicy", "Retain")));
        stacks.Primary.HasResourceProperties("AWS::KMS::Alias", Props(("AliasName", "alias/payapi-prod")));
    }

    [Fact]
    public void The_bucket_blocks_public_access_and_is_encrypted_with_the_key_unversioned()
    {
        stacks.Primary.HasResourceProperties("AWS::S3::Bucket", Props(
            ("PublicAccessBlockConfiguration", Props(("BlockPublicAcls", true), ("BlockPublicPolicy", true), ("IgnorePublicAcls", true), ("RestrictPublicBuckets", true)))));

        var (_, bucket) = stacks.PrimaryJson.Single("AWS::S3::Bucket");
        var rule = Assert.Single(bucket.GetProperty("BucketEncryption").GetProperty("ServerSideEncryptionConfiguration").EnumerateArray());
        Assert.Equal("aws:kms", rule.GetProperty("ServerSideEncryptionByDefault").GetProperty("SSEAlgorithm").GetString());
        Assert.Equal(KeyId, rule.GetProperty("ServerSideEncryptionByDefault").GetProperty("KMSMasterKeyID").ReferencedId());
        Assert.True(rule.GetProperty("BucketKeyEnabled").GetBoolean());
        Assert.True(!bucket.TryGetProperty("VersioningConfiguration", out var versioning) || versioning.GetProperty("Status").GetString() == "Suspended");
    }

    [Fact]
    public void The_bucket_deletes_failure_bundles_after_5_days_and_nothing_else()
    {
        var (_, bucket) = stacks.PrimaryJson.Single("AWS::S3::Bucket");
        var rules = bucket.GetProperty("LifecycleConfiguration").GetProperty("Rules").EnumerateArray().ToList();
        var expiring = Assert.Single(rules, r => r.TryGetProperty("ExpirationInDays", out _));
        Assert.Equal(5, expiring.GetProperty("ExpirationInDays").GetInt32());
        Assert.Equal("artifacts/", expiring.GetProperty("Prefix").GetString());
        Assert.Equal("Enabled", expiring.GetProperty("Status").GetString());
        Assert.Equal(ServiceContract.FailureBundleDays, expiring.GetProperty("ExpirationInDays").GetInt32());
    }

    [Fact]
    public void The_bucket_policy_refuses_every_request_without_TLS()
    {
        var (_, policy) = stacks.PrimaryJson.Single("AWS::S3::BucketPolicy");
        var bucketId = stacks.PrimaryJson.Single("AWS::S3::Bucket").Id;
        Assert.Equal(bucketId, policy.GetProperty("Bucket").ReferencedId());
        var statement = Assert.Single(policy.GetProperty("PolicyDocument").GetProperty("Statement").EnumerateArray());
        Assert.Equal("Deny", statement.GetProperty("Effect").GetString());
        Assert.Equal("s3:*", statement.GetProperty("Action").GetString());
        Assert.Equal("*", statement.GetProperty("Principal").GetProperty("AWS").GetString());
        Assert.Equal("false", statement.GetProperty("Condition").GetProperty("Bool").GetProperty("aws:SecureTransport").GetString());
        var resources = statement.GetProperty("Resource").EnumerateArray().Select(r => r.Flatten()).ToList();
        Assert.Contains($"{{{bucketId}.Arn}}", resources);
        Assert.Contains($"{{{bucketId}.Arn}}/*", resources);
    }
}
