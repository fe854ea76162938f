using System.Text.Json;
using System.Text.RegularExpressions;

namespace PayApi.Deploy.Tests;

/// <summary>
/// Walks every policy in the template (IAM policies, roles' inline policies, the KMS key policy, the bucket policy and
/// any other resource policy) and holds every Allow statement to: no <c>*</c> in an action, no NotAction or
/// NotResource, no anonymous principal, and a <c>*</c> in a resource only where AWS leaves no other choice:
/// <list type="bullet">
/// <item>a key policy's <c>"Resource": "*"</c>, which means "this key" (the only resource a key policy names);</item>
/// <item><c>"Resource": "*"</c> for actions that have no resource-level permissions (ecr:GetAuthorizationToken,
/// xray:PutTraceSegments, xray:PutTelemetryRecords), alone in their statement;</item>
/// <item>objects under the service's two prefixes of the stack's own bucket (<c>.../artifacts/*</c>, <c>.../provider-data/*</c>);</item>
/// <item>the stack's own log groups for the awslogs driver (a log group's Arn attribute ends in <c>:*</c>; the stream
/// names carry task ids), with log-writing actions only.</item>
/// </list>
/// A Deny statement may use wildcards (it only takes away); the only one allowed is the bucket's TLS-only rule.
/// </summary>
[Collection(StacksCollection.Name)]
public sealed class IamWildcardTests(SynthesizedStacks stacks)
{
    private static readonly HashSet<string> LogWriteActions = ["logs:CreateLogStream", "logs:PutLogEvents"];

    private enum PolicyKind { Identity, KeyPolicy, ResourcePolicy }

    [Fact]
    public void No_allow_statement_in_either_region_has_a_wildcard_action_or_an_unexplained_wildcard_resource()
    {
        foreach (var (template, settings) in new[] { (stacks.PrimaryJson, SynthesizedStacks.PrimarySettings), (stacks.SecondaryJson, SynthesizedStacks.SecondarySettings) })
        {
            var documents = PolicyDocuments(template).ToList();
            // The walk must see what it is meant to judge: the task role's and execution role's policies, the key policy, the bucket policy.
            Assert.Equal(2, documents.Count(d => d.Kind == PolicyKind.Identity));
            Assert.Single(documents, d => d.Kind == PolicyKind.KeyPolicy);
            Assert.Single(documents, d => d.Kind == PolicyKind.ResourcePolicy);

            var logGroups = template.Resources("AWS::Logs::LogGroup").Select(r => r.Id).ToHashSet();
            var problems = new List<string>();
            var statements = 0;
            foreach (var (owner, kind, document) in documents)
            {
                foreach (var statement in document.GetProperty("Statement").AsList())
                {
                    statements++;
                    problems.AddRange(Judge(owner, kind, statement, settings, logGroups));
                }
            }

            Assert.True(statements >= 15, $"only {statements} statements found");
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        }
    }

    [Fact]
    public void The_walk_flags_a_wildcard_action_and_a_wildcard_resource()
    {
        // The judge itself, on statements the stack must never contain.
        using var bad = JsonDocument.Parse("""
            { "Statement": [
              { "Effect": "Allow", "Action": "dynamodb:*", "Resource": "arn:aws:dynamodb:eu-west-1:1:table/x" },
              { "Effect": "Allow", "Action": ["kms:ReEncrypt*"], "Resource": "arn:aws:kms:eu-west-1:1:key/x" },
              { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" },
              { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other-bucket/*" },
              { "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": { "Fn::Join": ["", ["arn:aws:dynamodb:eu-west-1:1:table/payapi-prod-grain-state", "/index/*"]] } },
              { "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "s3:ListAllMyBuckets"], "Resource": "*" },
              { "Effect": "Allow", "NotAction": "iam:PassRole", "Resource": "arn:aws:s3:::b" },
              { "Effect": "Deny", "Action": "s3:*", "Resource": "*" }
            ] }
            """);
        var flagged = bad.RootElement.GetProperty("Statement").EnumerateArray()
            .Select(s => Judge("test", PolicyKind.Identity, s, SynthesizedStacks.PrimarySettings, new HashSet<string>()).Any())
            .ToList();
        Assert.All(flagged, Assert.True);
    }

    private static IEnumerable<(string Owner, PolicyKind Kind, JsonElement Document)> PolicyDocuments(JsonElement template)
    {
        foreach (var resource in template.GetProperty("Resources").EnumerateObject())
        {
            var type = resource.Value.GetProperty("Type").GetString();
            if (!resource.Value.TryGetProperty("Properties", out var p))
            {
                continue;
            }

            switch (type)
            {
                case "AWS::IAM::Policy" or "AWS::IAM::ManagedPolicy":
                    yield return (resource.Name, PolicyKind.Identity, p.GetProperty("PolicyDocument"));
                    break;
                case "AWS::IAM::Role" when p.TryGetProperty("Policies", out var inline):
                    foreach (var policy in inline.EnumerateArray())
                    {
                        yield return (resource.Name, PolicyKind.Identity, policy.GetProperty("PolicyDocument"));
                    }

                    break;
                case "AWS::KMS::Key":
                    yield return (resource.Name, PolicyKind.KeyPolicy, p.GetProperty("KeyPolicy"));
                    break;
                case "AWS::S3::BucketPolicy" or "AWS::SNS::TopicPolicy" or "AWS::SQS::QueuePolicy":
                    yield return (resource.Name, PolicyKind.ResourcePolicy, p.GetProperty("PolicyDocument"));
                    break;
                case "AWS::SecretsManager::ResourcePolicy":
                    yield return (resource.Name, PolicyKind.ResourcePolicy, p.GetProperty("ResourcePolicy"));
                    break;
            }
        }
    }

    private static IEnumerable<string> Judge(string owner, PolicyKind kind, JsonElement statement, DeploySettings settings, IReadOnlySet<string> logGroups)
    {
        var where = $"{owner} [{(statement.TryGetProperty("Sid", out var sid) ? sid.GetString() : "no Sid")}]";
        var effect = statement.GetProperty("Effect").GetString();
        if (statement.TryGetProperty("NotAction", out _) || statement.TryGetProperty("NotResource", out _))
        {
            yield return $"{where}: NotAction/NotResource";
            yield break;
        }

        var actions = statement.GetProperty("Action").AsList().Select(a => a.GetString()!).ToList();
        if (effect == "Deny")
        {
            var tlsOnly = kind == PolicyKind.ResourcePolicy
                && statement.TryGetProperty("Condition", out var c) && c.TryGetProperty("Bool", out var b)
                && b.TryGetProperty("aws:SecureTransport", out var secure) && secure.GetString() == "false";
            if (!tlsOnly)
            {
                yield return $"{where}: a Deny other than the TLS-only rule";
            }

            yield break;
        }

        if (statement.TryGetProperty("Principal", out var principal) && principal.GetRawText().Contains("\"*\"", StringComparison.Ordinal))
        {
            yield return $"{where}: allows any principal";
        }

        foreach (var action in actions.Where(a => a.Contains('*', StringComparison.Ordinal)))
        {
            yield return $"{where}: wildcard action {action}";
        }

        var bucketObjects = new Regex(
            $@"^arn:\{{Ref:AWS::Partition\}}:s3:::payapi-{settings.EnvironmentName}-bundles-\{{Ref:AWS::AccountId\}}-{Regex.Escape(settings.Region)}/(artifacts|provider-data)/\*$");
        foreach (var resource in statement.GetProperty("Resource").AsList())
        {
            var text = resource.Flatten();
            var isLogGroupArn = resource.ValueKind == JsonValueKind.Object && resource.TryGetProperty("Fn::GetAtt", out _) && resource.ReferencedId() is { } id && logGroups.Contains(id)
                && resource.GetProperty("Fn::GetAtt")[1].GetString() == "Arn";
            if (isLogGroupArn)
            {
                if (!actions.All(LogWriteActions.Contains))
                {
                    yield return $"{where}: a log group's Arn (…:*) with actions other than writing logs";
                }

                continue;
            }

            if (!text.Contains('*', StringComparison.Ordinal))
            {
                continue;
            }

            var allowed = text == "*"
                ? kind == PolicyKind.KeyPolicy || actions.All(a => PayApi.Deploy.TaskPermissions.ResourceLessActions.Contains(a))
                : bucketObjects.IsMatch(text) && actions.All(a => a is "s3:GetObject" or "s3:PutObject" or "s3:DeleteObject");
            if (!allowed)
            {
                yield return $"{where}: wildcard resource {text} for {string.Join(", ", actions)}";
            }
        }
    }
}
