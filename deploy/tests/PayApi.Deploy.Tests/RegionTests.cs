using Amazon.CDK;

namespace PayApi.Deploy.Tests;

/// <summary>The same app synthesizes for a second region, and the context settings refuse what cannot deploy.</summary>
[Collection(StacksCollection.Name)]
public sealed class RegionTests(SynthesizedStacks stacks)
{
    [Fact]
    public void The_stack_synthesizes_in_two_regions_with_the_same_resources()
    {
        Assert.Equal("eu-west-1", stacks.PrimaryStack.Region);
        Assert.Equal("us-east-1", stacks.SecondaryStack.Region);
        Assert.Equal("PayApi-prod", stacks.PrimaryStack.StackName);
        Assert.Equal("PayApi-prod", stacks.SecondaryStack.StackName);

        static Dictionary<string, int> Census(System.Text.Json.JsonElement t) =>
            t.GetProperty("Resources").EnumerateObject().GroupBy(r => r.Value.GetProperty("Type").GetString()!).ToDictionary(g => g.Key, g => g.Count());
        var primary = Census(stacks.PrimaryJson);
        var secondary = Census(stacks.SecondaryJson);
        // The second region brings its own secret and mails no one; everything else is the same.
        primary.Remove("AWS::SecretsManager::Secret");
        primary.Remove("AWS::SNS::Subscription");
        secondary.Remove("AWS::EC2::NatGateway");
        secondary.Remove("AWS::EC2::EIP");
        primary.Remove("AWS::EC2::NatGateway");
        primary.Remove("AWS::EC2::EIP");
        Assert.Equal(primary.OrderBy(p => p.Key), secondary.OrderBy(p => p.Key));
        Assert.Single(stacks.SecondaryJson.Resources("AWS::EC2::NatGateway"));
        Assert.Equal(2, stacks.PrimaryJson.Resources("AWS::EC2::NatGateway").Count);

        var secondaryListener = Assert.Single(stacks.SecondaryJson.Resources("AWS::ElasticLoadBalancingV2::Listener")).Properties;
        Assert.Equal(SynthesizedStacks.SecondarySettings.CertificateArn, secondaryListener.GetProperty("Certificates")[0].GetProperty("CertificateArn").GetString());
        Assert.Equal("payapi-prod-bundles-{Ref:AWS::AccountId}-us-east-1",
            stacks.SecondaryJson.Single("AWS::S3::Bucket").Properties.GetProperty("BucketName").Flatten());
        Assert.Equal("us-east-1", stacks.SecondaryJson.Container(SiloService.AppContainerName).Environment()["AWS_REGION"]);
    }

    [Fact]
    public void Context_values_become_settings()
    {
        var app = new App(new AppProps
        {
            Context = new Dictionary<string, object>
            {
                ["env"] = "staging",
                ["region"] = "ap-southeast-2",
                ["account"] = SynthesizedStacks.Account,
                ["certificateArn"] = $"arn:aws:acm:ap-southeast-2:{SynthesizedStacks.Account}:certificate/abc",
                ["minTasks"] = "3",
                ["maxTasks"] = 5,
            },
        });
        var settings = DeploySettings.FromContext(app);
        Assert.Equal("staging", settings.EnvironmentName);
        Assert.Equal("ap-southeast-2", settings.Region);
        Assert.Equal(3, settings.MinTasks);
        Assert.Equal(5, settings.MaxTasks);
        Assert.Equal("payapi-staging-", settings.TablePrefix);
        Assert.Equal("PayApi-staging", settings.StackName);
    }

    [Theory]
    [InlineData("", "eu-west-1", "arn:aws:acm:eu-west-1:123456789012:certificate/abc", "'env'")]
    [InlineData("prod", "", "arn:aws:acm:eu-west-1:123456789012:certificate/abc", "'region'")]
    [InlineData("prod", "eu-west-1", "", "'certificateArn'")]
    [InlineData("prod", "eu-west-1", "arn:aws:acm:us-east-1:123456789012:certificate/abc", "ACM certificates are regional")]
    [InlineData("Prod_1", "eu-west-1", "arn:aws:acm:eu-west-1:123456789012:certificate/abc", "'env'")]
    public void Settings_that_cannot_deploy_are_refused_naming_the_key(string env, string region, string certificate, string expected)
    {
        var settings = new DeploySettings { EnvironmentName = env, Region = region, CertificateArn = certificate };
        Assert.Contains(settings.Problems(), p => p.Contains(expected, StringComparison.Ordinal));
        Assert.Empty(SynthesizedStacks.PrimarySettings.Problems());
        Assert.Empty(SynthesizedStacks.SecondarySettings.Problems());
    }
}
