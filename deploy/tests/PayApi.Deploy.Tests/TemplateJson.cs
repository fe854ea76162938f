using System.Text.Json;

namespace PayApi.Deploy.Tests;

/// <summary>Reading a synthesized CloudFormation template.</summary>
internal static class TemplateJson
{
    /// <summary>Every resource of a type, with its logical id.</summary>
    public static IReadOnlyList<(string Id, JsonElement Properties)> Resources(this JsonElement template, string type) =>
        template.GetProperty("Resources").EnumerateObject()
            .Where(r => r.Value.GetProperty("Type").GetString() == type)
            .Select(r => (r.Name, r.Value.TryGetProperty("Properties", out var p) ? p : default))
            .ToList();

    public static (string Id, JsonElement Properties) Single(this JsonElement template, string type) => Assert.Single(template.Resources(type));

    /// <summary>The logical id a <c>Ref</c> or <c>Fn::GetAtt</c> points at, or null.</summary>
    public static string? ReferencedId(this JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (value.TryGetProperty("Ref", out var r))
        {
            return r.GetString();
        }

        return value.TryGetProperty("Fn::GetAtt", out var getAtt) ? getAtt[0].GetString() : null;
    }

    /// <summary>A value as a list: CloudFormation accepts one item or an array of them.</summary>
    public static IReadOnlyList<JsonElement> AsList(this JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [value];

    /// <summary>
    /// A string with intrinsics flattened: <c>Fn::Join</c> parts joined, a <c>Ref</c> as <c>{Ref:Id}</c>, a
    /// <c>Fn::GetAtt</c> as <c>{Id.Attribute}</c>, so wildcards written into ARNs show.
    /// </summary>
    public static string Flatten(this JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return value.GetString()!;
            case JsonValueKind.Object when value.TryGetProperty("Fn::Join", out var join):
                return string.Join(join[0].GetString(), join[1].EnumerateArray().Select(Flatten));
            case JsonValueKind.Object when value.TryGetProperty("Ref", out var r):
                return "{Ref:" + r.GetString() + "}";
            case JsonValueKind.Object when value.TryGetProperty("Fn::GetAtt", out var getAtt):
                return "{" + getAtt[0].GetString() + "." + getAtt[1].GetString() + "}";
            default:
                return value.GetRawText();
        }
    }

    /// <summary>An environment list of a container definition, as a dictionary of flattened values.</summary>
    public static Dictionary<string, string> Environment(this JsonElement container) =>
        container.TryGetProperty("Environment", out var env)
            ? env.EnumerateArray().ToDictionary(e => e.GetProperty("Name").GetString()!, e => e.GetProperty("Value").Flatten())
            : [];

    public static JsonElement Container(this JsonElement template, string name) =>
        template.Single("AWS::ECS::TaskDefinition").Properties.GetProperty("ContainerDefinitions").EnumerateArray()
            .Single(c => c.GetProperty("Name").GetString() == name);
}
