using Microsoft.EntityFrameworkCore;

namespace Bff.Demo.IdentityProvider;

/// <summary>OpenIddict's applications, authorizations and tokens, in a SQLite file (EF InMemory breaks reuse revocation).</summary>
public sealed class DemoIdpDbContext(DbContextOptions<DemoIdpDbContext> options) : DbContext(options);
