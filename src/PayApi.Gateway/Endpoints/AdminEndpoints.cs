using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PayApi.Contracts;
using PayApi.Gateway.Auth;
using PayApi.Gateway.OpenApi;
using PayApi.Gateway.Http;

namespace PayApi.Gateway.Endpoints;

/// <summary>Operator endpoints: clients and master keys.</summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin/v1").RequireCaller(Authenticators.RequireAdmin);

        admin.MapPost("/clients", async (HttpContext context, IGrainFactory grains) =>
        {
            var body = await JsonBody.ReadAsync(context);
            var name = body.RequiredString("name", 200);
            var created = await grains.GetGrain<IClientGrain>(Ids.NewClientId()).CreateAsync(name);
            return Results.Json(created, statusCode: StatusCodes.Status201Created);
        })
        .WithSummary("Create an API client").WithDescription("The client_secret is shown once; only a hash is stored.")
        .RequestBody<CreateClientRequest>().Produces<CreatedClient>(StatusCodes.Status201Created);

        admin.MapGet("/clients/{client_id}", async (string client_id, IGrainFactory grains) =>
        {
            var info = Ids.IsWellFormed(client_id, Ids.ClientPrefix) ? await grains.GetGrain<IClientGrain>(client_id).GetAsync() : null;
            return Results.Json(info ?? throw PayApiException.NotFound("client"));
        })
        .WithSummary("Get a client").Produces<ClientInfo>();

        // The operator names the app end-users see on the Connect page (display_name) and/or renames the client.
        admin.MapPatch("/clients/{client_id}", async (string client_id, HttpContext context, IGrainFactory grains) =>
        {
            var body = await JsonBody.ReadAsync(context);
            var name = body.OptionalString("name", 4 * ClientNames.MaxNameLength) is { } n
                ? ClientNames.Check("name", n, ClientNames.MaxNameLength)
                : body.IsNull("name") ? throw PayApiException.Invalid("name cannot be removed; give a new name.") : null;
            var displayName = body.OptionalString("display_name", 4 * ClientNames.MaxDisplayNameLength) is { } d
                ? ClientNames.Check("display_name", d, ClientNames.MaxDisplayNameLength)
                : null;
            var clear = body.IsNull("display_name");
            if (name is null && displayName is null && !clear)
            {
                throw PayApiException.Invalid("Give name and/or display_name to change (display_name: null removes it).");
            }

            if (!Ids.IsWellFormed(client_id, Ids.ClientPrefix))
            {
                throw PayApiException.NotFound("client");
            }

            // not_found (404) from the grain when no such client exists.
            return Results.Json(await grains.GetGrain<IClientGrain>(client_id).UpdateAsync(new ClientUpdate(name, displayName, clear)));
        });

        admin.MapPost("/clients/{client_id}/rotate-secret", async (string client_id, IGrainFactory grains) =>
        {
            if (!Ids.IsWellFormed(client_id, Ids.ClientPrefix))
            {
                throw PayApiException.NotFound("client");
            }

            var secret = await grains.GetGrain<IClientGrain>(client_id).RotateSecretAsync();
            return Results.Json(new { client_secret = secret });
        })
        .WithSummary("Rotate a client's secret").WithDescription("The old secret stops working at once.").Produces<ClientSecretResponse>();

        admin.MapPost("/keys/rotate", async (IGrainFactory grains) =>
            Results.Json(await grains.GetGrain<IKeyAdminGrain>(0).RotateAsync()))
            .WithSummary("Start a new master key version").Produces<KeyVersionView>().ProblemCodes(ErrorCodes.Conflict);

        admin.MapGet("/keys", async (IGrainFactory grains) =>
            Results.Json(new { data = await grains.GetGrain<IKeyAdminGrain>(0).ListAsync() }))
            .WithSummary("List master key versions").Produces<KeyVersionList>();

        admin.MapPost("/keys/rewrap", async (IGrainFactory grains) =>
            Results.Json(await grains.GetGrain<IKeyAdminGrain>(0).RewrapAsync()))
            .WithSummary("Re-wrap every data key under the newest master key").Produces<RewrapReport>().ProblemCodes(ErrorCodes.Conflict);

        admin.MapGet("/failure-bundles", async (IGrainFactory grains, string? connection_id) =>
        {
            if (connection_id is not null && !Ids.IsWellFormed(connection_id, Ids.ConnectionPrefix))
            {
                throw PayApiException.NotFound("connection");
            }

            var list = await grains.GetGrain<IFailureBundleGrain>(0).ListAsync(connection_id);
            return Results.Json(new { data = list });
        })
        .WithSummary("List failure bundles").Produces<FailureBundleList>().ProblemCodes(ErrorCodes.NotFound);

        admin.MapGet("/connections/{connection_id}/failure-bundles/{bundle_id}", async (string connection_id, string bundle_id, HttpContext context, IGrainFactory grains) =>
        {
            var connectionId = DeveloperEndpoints.RequireId(connection_id, Ids.ConnectionPrefix, "connection");
            var bundle = await grains.GetGrain<IFailureBundleGrain>(0).OpenAsync(connectionId, bundle_id, context.TraceIdentifier);
            return Results.Json(new
            {
                bundle = bundle.Summary,
                url = bundle.Url,
                screenshot_png_base64 = Convert.ToBase64String(bundle.ScreenshotPng),
                html = bundle.Html,
            });
        })
        .WithSummary("Open a failure bundle").Produces<FailureBundleResponse>().ProblemCodes(ErrorCodes.Conflict);

        return app;
    }
}
