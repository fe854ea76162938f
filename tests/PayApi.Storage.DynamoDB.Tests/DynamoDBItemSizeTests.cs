using Amazon.DynamoDBv2.Model;
using Xunit;

namespace PayApi.Storage.DynamoDB.Tests;

/// <summary>Item sizes as DynamoDB documents them: attribute names plus values, strings in UTF-8.</summary>
public sealed class DynamoDBItemSizeTests
{
    [Fact]
    public void Strings_and_binaries_count_their_names_and_bytes()
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["pk"] = new("abc"),
            ["payload"] = new() { B = new MemoryStream(new byte[10]) },
            ["é"] = new("€"),
        };

        // 2 + 3, 7 + 10, 2 + 3 (UTF-8, not UTF-16 characters).
        Assert.Equal(27, DynamoDBItemSize.Of(item));
    }

    [Fact]
    public void Numbers_lists_and_maps_are_counted_no_lower_than_DynamoDB_does()
    {
        Assert.True(DynamoDBItemSize.Of(new Dictionary<string, AttributeValue> { ["n"] = new() { N = "638712345678901234" } }) >= 1 + 10);
        var nested = new Dictionary<string, AttributeValue>
        {
            ["l"] = new() { L = [new("ab"), new("cd")] },
            ["m"] = new() { M = new() { ["k"] = new("v") } },
            ["e"] = new() { L = [] },
            ["b"] = new() { BOOL = true },
        };
        // l: 1 + 3 + (1 + 2) * 2; m: 1 + 3 + 1 + 1 + 1; e: 1 + 3; b: 1 + 1.
        Assert.Equal(23, DynamoDBItemSize.Of(nested));
    }
}
