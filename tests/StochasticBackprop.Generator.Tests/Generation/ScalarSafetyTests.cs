using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using StochasticBackprop.Generator.Tests.Infrastructure;
using Xunit;

namespace StochasticBackprop.Generator.Tests.Generation;

/// <summary>
/// Generated code must never hand TorchSharp 0.107 a temporary <c>Scalar</c>: the wrapper can be
/// finalized while libtorch still reads it (dotnet/TorchSharp#1434, #1496; README "TorchSharp 0.107's
/// temporary Scalars"). Checked on the compiled output with the semantic model, so a change to the
/// code writer cannot bring one back unnoticed.
/// </summary>
public sealed class ScalarSafetyTests
{
    // TorchSharp members that build a temporary Scalar internally even when the caller passes none.
    private static readonly HashSet<string> MembersWithHiddenScalars = new() { "square", "softplus", "ToDouble", "arange" };

    [Fact]
    public void GeneratedCode_OfEverySampleDistribution_HasNoTemporaryScalars()
    {
        var sources = SampleSources.Names.Select(name => SampleSources.Read(name)).Append(SampleSources.ChiSquared).ToArray();
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(sources));
        GeneratorHarness.AssertOutputCompiles(run);
        Assert.True(run.OutputCompilation.SyntaxTrees.Count(t => t.FilePath.EndsWith(".g.cs", System.StringComparison.Ordinal)) >= sources.Length, "the check must see the generated files");

        List<string> findings = Findings(run.OutputCompilation).ToList();

        Assert.True(findings.Count == 0, "Temporary Scalars in generated code:\n" + string.Join("\n", findings.Take(20)));
    }

    [Fact]
    public void TheCheck_FindsEachKindOfTemporaryScalar()
    {
        // The check itself must be able to fail: each line below makes a temporary Scalar.
        const string unsafeCode = """
            using TorchSharp;
            using static TorchSharp.torch;
            static class Unsafe
            {
                static Tensor Number(Tensor t) => t * 2.0;
                static Tensor Sum(Tensor a, Tensor b) => a + b;
                static Tensor Implicit(Tensor t) => t.pow(2);
                static Tensor Hidden(Tensor t) => t.square();
            }
            """;
        var compilation = GeneratorHarness.CreateCompilation(unsafeCode);

        List<string> findings = Findings(compilation, onlyGenerated: false).ToList();

        Assert.Equal(4, findings.Count);
    }

    private static IEnumerable<string> Findings(Compilation compilation, bool onlyGenerated = true)
    {
        foreach (SyntaxTree tree in compilation.SyntaxTrees.Where(t => !onlyGenerated || t.FilePath.EndsWith(".g.cs", System.StringComparison.Ordinal)))
        {
            SemanticModel model = compilation.GetSemanticModel(tree);
            foreach (SyntaxNode node in tree.GetRoot().DescendantNodes())
            {
                string? problem = node switch
                {
                    BinaryExpressionSyntax binary when model.GetSymbolInfo(binary).Symbol is IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator } op
                        && IsTensor(op.ContainingType)
                        && (op.Parameters.Any(p => p.Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Single or SpecialType.System_Double)
                            || (op.Name == "op_Addition" && op.Parameters.All(p => IsTensor(p.Type))))
                        => $"operator {binary.OperatorToken.Text} with a number or a hidden alpha: {binary}",
                    ExpressionSyntax expression when model.GetConversion(expression) is { IsUserDefined: true, MethodSymbol: { } conversion }
                        && conversion.ContainingType.ToDisplayString() == "TorchSharp.Scalar"
                        => $"implicit Scalar: {expression}",
                    InvocationExpressionSyntax invocation when model.GetSymbolInfo(invocation).Symbol is IMethodSymbol method
                        && method.ContainingNamespace?.ToDisplayString().StartsWith("TorchSharp", System.StringComparison.Ordinal) == true
                        && MembersWithHiddenScalars.Contains(method.Name)
                        => $"{method.Name}() builds a Scalar internally: {invocation}",
                    _ => null,
                };
                if (problem is not null)
                {
                    yield return $"{tree.FilePath}({tree.GetLineSpan(node.Span).StartLinePosition.Line + 1}): {problem}";
                }
            }
        }
    }

    private static bool IsTensor(ITypeSymbol type) => type.ToDisplayString() == "TorchSharp.torch.Tensor";
}
