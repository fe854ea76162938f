namespace PayApi.Deploy.Tests;

/// <summary>
/// The deploy project copies facts from the service's code (it must not reference the service projects): these tests
/// read that code and fail when it changes under the copy.
/// </summary>
public sealed class ServiceContractTests
{
    [Fact]
    public void Table_names_keys_and_ttl_match_the_dynamodb_provider()
    {
        var options = RepositoryRoot.Read("src", "PayApi.Storage.DynamoDB", "DynamoDBOptions.cs");
        Assert.Contains("public string TablePrefix { get; set; } = \"payapi-\";", options, StringComparison.Ordinal);
        foreach (var table in ServiceContract.Tables)
        {
            Assert.Contains($"TablePrefix + \"{table.Suffix}\"", options, StringComparison.Ordinal);
        }

        var membership = RepositoryRoot.Read("src", "PayApi.Storage.DynamoDB", "DynamoDBMembershipRows.cs");
        Assert.Contains($"public const string Cluster = \"{ServiceContract.Membership.PartitionKey}\";", membership, StringComparison.Ordinal);
        Assert.Contains($"public const string Row = \"{ServiceContract.Membership.SortKey}\";", membership, StringComparison.Ordinal);
        Assert.Contains($"public const string ExpiresAt = \"{ServiceContract.Membership.TimeToLiveAttribute}\";", membership, StringComparison.Ordinal);
        Assert.Contains("new(options.MembershipTable, Cluster, Row, TimeToLiveAttribute: ExpiresAt)", membership, StringComparison.Ordinal);

        Assert.Contains($"KeyAttribute = \"{ServiceContract.GrainState.PartitionKey}\";", RepositoryRoot.Read("src", "PayApi.Storage.DynamoDB", "DynamoDBGrainStorage.cs"), StringComparison.Ordinal);
        var reminders = RepositoryRoot.Read("src", "PayApi.Storage.DynamoDB", "DynamoDBReminderTable.cs");
        Assert.Contains($"PartitionAttribute = \"{ServiceContract.Reminders.PartitionKey}\";", reminders, StringComparison.Ordinal);
        Assert.Contains($"SortAttribute = \"{ServiceContract.Reminders.SortKey}\";", reminders, StringComparison.Ordinal);
        Assert.Contains($"ConnectionIdAttribute = \"{ServiceContract.DataKeys.PartitionKey}\";", RepositoryRoot.Read("src", "PayApi.Storage.DynamoDB", "DynamoDBDataKeyStore.cs"), StringComparison.Ordinal);
        var chunks = RepositoryRoot.Read("src", "PayApi.Storage.DynamoDB", "DynamoDBChunkStore.cs");
        Assert.Contains($"ConnectionIdAttribute = \"{ServiceContract.ProviderData.PartitionKey}\";", chunks, StringComparison.Ordinal);
        Assert.Contains($"NameAttribute = \"{ServiceContract.ProviderData.SortKey}\";", chunks, StringComparison.Ordinal);
        Assert.Contains($"$\"{ServiceContract.ProviderDataPrefix}{{connectionId}}/\"", chunks, StringComparison.Ordinal);

        // No table but membership declares a TTL attribute, and no secondary index exists to grant on.
        var all = Directory.GetFiles(RepositoryRoot.File("src", "PayApi.Storage.DynamoDB"), "*.cs").Select(File.ReadAllText).ToList();
        Assert.Single(all, f => f.Contains("TimeToLiveAttribute:", StringComparison.Ordinal));
        Assert.DoesNotContain(all, f => f.Contains("GlobalSecondaryIndex", StringComparison.Ordinal) || f.Contains("IndexName", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_dynamodb_call_of_the_provider_is_granted()
    {
        var calls = Directory.GetFiles(RepositoryRoot.File("src", "PayApi.Storage.DynamoDB"), "*.cs")
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"(?:client|_client)\.(\w+)Async\(").Select(m => m.Groups[1].Value))
            .Distinct().ToList();
        Assert.NotEmpty(calls);
        // The service creates no table and changes no TTL in AWS: the stack does (CreateTables=false).
        var perItem = new Dictionary<string, string[]>
        {
            ["CreateTable"] = [],
            ["UpdateTimeToLive"] = [],
            ["TransactWriteItems"] = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"],
        };
        foreach (var call in calls)
        {
            var needed = perItem.TryGetValue(call, out var actions) ? actions : ["dynamodb:" + call];
            Assert.All(needed, action => Assert.Contains(action, ServiceContract.DynamoDBActions));
        }
    }

    [Fact]
    public void The_encryption_context_matches_the_kms_keyring()
    {
        var context = RepositoryRoot.Read("src", "PayApi.Vault.Kms", "KmsEncryptionContext.cs");
        Assert.Contains($"ClientIdKey = \"{ServiceContract.ContextClientId}\";", context, StringComparison.Ordinal);
        Assert.Contains($"ConnectionIdKey = \"{ServiceContract.ContextConnectionId}\";", context, StringComparison.Ordinal);
        Assert.Contains($"PurposeKey = \"{ServiceContract.ContextPurpose}\";", context, StringComparison.Ordinal);
        Assert.Contains($"DataKeyPurpose = \"{ServiceContract.DataKeyPurpose}\";", context, StringComparison.Ordinal);

        // The keyring's KMS calls are the ones the key policy grants (DescribeKey aside, which takes no context).
        var keyring = RepositoryRoot.Read("src", "PayApi.Vault.Kms", "KmsKeyring.cs") + RepositoryRoot.Read("src", "PayApi.Vault.Kms", "KmsCalls.cs");
        var calls = System.Text.RegularExpressions.Regex.Matches(keyring, @"_kms\.(\w+)Async\(").Select(m => m.Groups[1].Value).Distinct().Order().ToList();
        Assert.Equal(["Decrypt", "DescribeKey", "Encrypt", "GenerateDataKey", "ReEncrypt"], calls);
    }

    [Fact]
    public void Prefixes_retention_ports_and_log_lines_match_the_code()
    {
        Assert.Contains($"KeyPrefix {{ get; set; }} = \"{ServiceContract.ArtifactsPrefix}\";", RepositoryRoot.Read("src", "PayApi.Storage.S3", "S3Options.cs"), StringComparison.Ordinal);
        Assert.Contains($"Retention = TimeSpan.FromDays({ServiceContract.FailureBundleDays});", RepositoryRoot.Read("src", "PayApi.Scraping", "FailureBundleStore.cs"), StringComparison.Ordinal);
        var settings = RepositoryRoot.Read("src", "PayApi.Host", "PayApiSettings.cs");
        Assert.Contains($"SiloPort {{ get; set; }} = {ServiceContract.SiloPort};", settings, StringComparison.Ordinal);
        Assert.Contains($"GatewayPort {{ get; set; }} = {ServiceContract.GatewayPort};", settings, StringComparison.Ordinal);
        Assert.Contains(ServiceContract.DependencyFailureLogText, RepositoryRoot.Read("src", "PayApi.Gateway", "Http", "ProblemMiddleware.cs"), StringComparison.Ordinal);
        Assert.Contains("app.MapGet(\"/readyz\"", RepositoryRoot.Read("src", "PayApi.Gateway", "Endpoints", "HealthEndpoints.cs"), StringComparison.Ordinal);
        Assert.Contains("app.MapGet(\"/healthz\"", RepositoryRoot.Read("src", "PayApi.Gateway", "Endpoints", "HealthEndpoints.cs"), StringComparison.Ordinal);
    }
}
