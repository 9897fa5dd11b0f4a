using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Bff.Configuration;

/// <summary>
/// Fails start-up on a key under <c>Bff</c> that no option reads (a typo, or a setting of another version):
/// silently ignored, it would leave the gateway running without what the operator asked for.
/// </summary>
internal sealed class UnknownSettingsValidator(IConfiguration configuration) : IValidateOptions<BffOptions>
{
    public ValidateOptionsResult Validate(string? name, BffOptions options)
    {
        var unknown = Unknown(configuration.GetSection(BffOptions.SectionName), typeof(BffOptions)).ToList();
        return unknown.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(unknown.Select(path => $"{path} is not a setting of the gateway (misspelt, or not supported by this version): remove it or see the README's configuration table."));
    }

    private static IEnumerable<string> Unknown(IConfigurationSection section, Type type)
    {
        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null)
            {
                yield return child.Path;
                continue;
            }

            // Values, lists and dictionaries take whatever keys they are given; option classes are checked in turn.
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (propertyType.IsPrimitive || propertyType.IsEnum || propertyType == typeof(string) || typeof(IEnumerable).IsAssignableFrom(propertyType)
                || propertyType.Namespace == "System")
            {
                continue;
            }

            foreach (var path in Unknown(child, propertyType))
            {
                yield return path;
            }
        }
    }
}
