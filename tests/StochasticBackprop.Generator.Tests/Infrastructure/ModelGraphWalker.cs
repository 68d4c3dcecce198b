using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace StochasticBackprop.Generator.Tests.Infrastructure;

/// <summary>
/// Walks an object graph reflectively and reports every Roslyn object that would pin a
/// compilation in the generator driver's cache. Used by
/// <see cref="GeneratorHarness.AssertNoRoslynObjectsInStepOutputs"/>.
/// </summary>
internal static class ModelGraphWalker
{
    // Types that hold (or are) a compilation's symbols or syntax. A cached model holding any of
    // them is never equal across runs and keeps the old compilation alive.
    private static readonly Type[] ForbiddenTypes =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel),
        typeof(Location), typeof(IOperation), typeof(AttributeData), typeof(SyntaxReference),
        typeof(SyntaxToken), typeof(SyntaxTrivia), typeof(SyntaxNodeOrToken), typeof(SyntaxTokenList),
        typeof(SyntaxTriviaList), typeof(TypedConstant),
    };

    private static readonly Type[] ForbiddenGenericTypes = { typeof(SyntaxList<>), typeof(SeparatedSyntaxList<>) };

    /// <summary>Stops reporting after this many findings; one is enough to fix, a flood hides it.</summary>
    private const int MaxFindings = 20;

    /// <summary>Adds to <paramref name="findings"/> the path and type of every Roslyn object reachable from <paramref name="root"/>.</summary>
    public static void FindRoslynObjects(object? root, string rootPath, List<string> findings)
    {
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Walk(root, rootPath, visited, findings);
    }

    private static void Walk(object? value, string path, HashSet<object> visited, List<string> findings)
    {
        if (value is null || findings.Count >= MaxFindings)
        {
            return;
        }

        var type = value.GetType();
        if (IsForbidden(type))
        {
            findings.Add($"{path}: {type.FullName}");
            return;
        }

        if (IsLeaf(type))
        {
            return;
        }

        // Boxed structs are fresh objects each time, so only reference types can form cycles.
        if (!type.IsValueType && !visited.Add(value))
        {
            return;
        }

        if (value is IEnumerable sequence)
        {
            // A default ImmutableArray throws when enumerated; it holds nothing.
            if (IsDefaultImmutableArray(value, type))
            {
                return;
            }

            var index = 0;
            foreach (var item in sequence)
            {
                Walk(item, $"{path}[{index++}]", visited, findings);
            }

            return;
        }

        // Fields, not properties: a record's properties are its backing fields, and a computed
        // property could allocate, throw or recurse without end.
        for (var current = type; current is not null && current != typeof(object); current = current.BaseType)
        {
            foreach (var field in current.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer)
                {
                    continue;
                }

                Walk(field.GetValue(value), $"{path}.{DisplayName(field)}", visited, findings);
            }
        }
    }

    private static bool IsForbidden(Type type) =>
        ForbiddenTypes.Any(forbidden => forbidden.IsAssignableFrom(type))
        || (type.IsGenericType && ForbiddenGenericTypes.Contains(type.GetGenericTypeDefinition()));

    /// <summary>
    /// Values with nothing Roslyn-related inside: primitives, strings, enums, and the framework's
    /// non-generic types (walking a <see cref="Type"/> or a resource manager would wander through
    /// the whole runtime). Generic framework types (tuples, key-value pairs) are still walked.
    /// </summary>
    private static bool IsLeaf(Type type) =>
        type.IsPrimitive
        || type.IsEnum
        || type == typeof(string)
        || (!type.IsGenericType && !type.IsArray && IsFrameworkNamespace(type.Namespace));

    private static bool IsFrameworkNamespace(string? name) =>
        name is not null && (name == "System" || name.StartsWith("System.", StringComparison.Ordinal));

    private static bool IsDefaultImmutableArray(object value, Type type) =>
        type.IsGenericType
        && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>)
        && (bool)type.GetProperty(nameof(ImmutableArray<int>.IsDefault))!.GetValue(value)!;

    /// <summary>Shows an auto-property's backing field (<c>&lt;Name&gt;k__BackingField</c>) as its property name.</summary>
    private static string DisplayName(FieldInfo field) =>
        field.Name.StartsWith('<') && field.Name.IndexOf('>') is var end and > 0
            ? field.Name[1..end]
            : field.Name;
}
