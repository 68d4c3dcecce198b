using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;
using StochasticBackprop.Generator.ScalarSafety;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace StochasticBackprop.CodeFixes;

/// <summary>
/// Rewrites each SBS finding the analyzer marked fixable into its safe form: a constant into
/// <c>Scalars.Of(c)</c>, a run-time value into a <c>using Scalar</c> local, <c>a + b</c> into
/// <c>a.add(b, Scalars.One)</c>, <c>n - t</c> into <c>-(t - n)</c>, <c>t.add(x)</c> into its alpha
/// overload, <c>t.square()</c> into <c>t.pow(Scalars.Of(2))</c>, <c>softplus(x)</c> into
/// <c>-logsigmoid(-x)</c> and <c>t.ToDouble()</c> into <c>item&lt;double&gt;()</c>. Names are written
/// fully qualified and left to the simplifier, which adds <c>using StochasticBackprop;</c> when missing.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ScalarSafetyCodeFixProvider)), Shared]
public sealed class ScalarSafetyCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        ScalarSafetyDescriptors.NumberToTemporaryScalar.Id,
        ScalarSafetyDescriptors.HiddenAlpha.Id,
        ScalarSafetyDescriptors.MemberMakesTemporaryScalar.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(ScalarSafetyDescriptors.FixKey, out string? fix) || string.IsNullOrEmpty(fix)
                || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax node)
            {
                continue;
            }

            string title = Title(fix!);
            Document document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(title, token => ApplyAsync(document, node, fix!, token), equivalenceKey: "SBS:" + fix),
                diagnostic);
        }
    }

    private static string Title(string fix) => fix switch
    {
        ScalarFix.ScalarsOf => "Use a cached Scalars.Of constant",
        ScalarFix.UsingLocal => "Hold the value in a using Scalar local",
        ScalarFix.AddWithAlpha => "Write a.add(b, Scalars.One)",
        ScalarFix.NegatedSubtraction => "Write -(t - n)",
        ScalarFix.AppendAlpha => "Pass the alpha Scalars.One",
        ScalarFix.PowTwo => "Write t.pow(Scalars.Of(2))",
        ScalarFix.LogSigmoid => "Write -logsigmoid(-x)",
        _ => "Read the value with item<T>()",
    };

    private static async Task<Document> ApplyAsync(Document document, ExpressionSyntax node, string fix, CancellationToken token)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, token).ConfigureAwait(false);
        SemanticModel model = editor.SemanticModel;
        bool changed = fix switch
        {
            ScalarFix.ScalarsOf => Replace(editor, node, ScalarsOf(node is CastExpressionSyntax cast ? cast.Expression : node)),
            ScalarFix.UsingLocal => HoistIntoUsingLocal(editor, model, node, token),
            ScalarFix.AddWithAlpha => AddWithAlpha(editor, model, node, token),
            ScalarFix.NegatedSubtraction => NegatedSubtraction(editor, model, node, token),
            ScalarFix.AppendAlpha => node is InvocationExpressionSyntax invocation && invocation.ArgumentList.Arguments.All(a => a.NameColon is null)
                && Replace(editor, node, invocation.AddArgumentListArguments(Argument(ScalarsOne()))),
            ScalarFix.PowTwo => Receiver(model, node, token) is { } squared
                && Replace(editor, node, Call(squared, "pow", ScalarsOf(LiteralExpression(SyntaxKind.NumericLiteralExpression, Literal(2))))),
            ScalarFix.LogSigmoid => Receiver(model, node, token) is { } x && Replace(editor, node, Negate(InvocationExpression(
                Qualified("global::TorchSharp.torch.nn.functional.logsigmoid"), ArgumentList(SingletonSeparatedList(Argument(Negate(x)))))) ),
            _ when fix.StartsWith(ScalarFix.ItemPrefix, System.StringComparison.Ordinal) => Item(editor, model, node, fix.Substring(ScalarFix.ItemPrefix.Length), token),
            _ => false,
        };
        if (!changed)
        {
            return document;
        }

        Document edited = editor.GetChangedDocument();
        edited = await ImportAdder.AddImportsAsync(edited, Simplifier.AddImportsAnnotation, cancellationToken: token).ConfigureAwait(false);
        edited = await Simplifier.ReduceAsync(edited, Simplifier.Annotation, cancellationToken: token).ConfigureAwait(false);
        return await Formatter.FormatAsync(edited, Formatter.Annotation, cancellationToken: token).ConfigureAwait(false);
    }

    private static bool Replace(DocumentEditor editor, ExpressionSyntax node, ExpressionSyntax replacement)
    {
        // A call or a negation needs no parentheses of its own, and makes the user's around the
        // old expression redundant where nothing binds tighter than it outside them.
        bool primary = IsPrimary(replacement);
        bool unary = replacement is PrefixUnaryExpressionSyntax;
        if ((primary || unary) && node.Parent is ParenthesizedExpressionSyntax parentheses && (primary || !IsPostfixOperand(parentheses)))
        {
            editor.ReplaceNode(parentheses, replacement.WithTriviaFrom(parentheses));
            return true;
        }

        bool needsParentheses = !primary && (unary ? IsPostfixOperand(node) : node.Parent is not (ArgumentSyntax or ParenthesizedExpressionSyntax
            or ArrowExpressionClauseSyntax or EqualsValueClauseSyntax or ReturnStatementSyntax or ExpressionStatementSyntax));
        editor.ReplaceNode(node, (needsParentheses ? ParenthesizedExpression(replacement) : replacement).WithTriviaFrom(node));
        return true;
    }

    private static bool IsPrimary(ExpressionSyntax expression) =>
        expression is IdentifierNameSyntax or LiteralExpressionSyntax or InvocationExpressionSyntax or MemberAccessExpressionSyntax
            or ParenthesizedExpressionSyntax or ElementAccessExpressionSyntax;

    private static bool IsPostfixOperand(ExpressionSyntax expression) =>
        expression.Parent is MemberAccessExpressionSyntax or ElementAccessExpressionSyntax or ConditionalAccessExpressionSyntax or PostfixUnaryExpressionSyntax;

    // a + b, t + 2.0, 2.0 + t, a += b: the tensor operand's add overload with the alpha.
    private static bool AddWithAlpha(DocumentEditor editor, SemanticModel model, ExpressionSyntax node, CancellationToken token)
    {
        (ExpressionSyntax left, ExpressionSyntax right) = node switch
        {
            BinaryExpressionSyntax binary => (binary.Left, binary.Right),
            AssignmentExpressionSyntax assignment => (assignment.Left, assignment.Right),
            _ => (null!, null!),
        };
        if (left is null || model.GetSymbolInfo(node, token).Symbol is not IMethodSymbol op || op.Parameters.Length != 2)
        {
            return false;
        }

        bool leftIsTensor = IsTensor(op.Parameters[0].Type);
        (ExpressionSyntax tensor, ExpressionSyntax other) = leftIsTensor ? (left, right) : (right, left);
        ExpressionSyntax sum = Call(tensor, "add", AsScalarOperand(model, other, token), ScalarsOne());
        ExpressionSyntax replacement = node is AssignmentExpressionSyntax
            ? AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, left.WithoutTrivia(), sum)
            : sum;
        return Replace(editor, node, replacement);
    }

    // n - t → -(t - n): exact, since negation and rounding to nearest are symmetric.
    private static bool NegatedSubtraction(DocumentEditor editor, SemanticModel model, ExpressionSyntax node, CancellationToken token)
    {
        if (node is not BinaryExpressionSyntax binary)
        {
            return false;
        }

        ExpressionSyntax difference = BinaryExpression(SyntaxKind.SubtractExpression, Parenthesize(binary.Right.WithoutTrivia()), AsScalarOperand(model, binary.Left, token));
        return Replace(editor, node, PrefixUnaryExpression(SyntaxKind.UnaryMinusExpression, ParenthesizedExpression(difference)));
    }

    // A number operand becomes Scalars.Of(number) when constant; anything else stays as written
    // (a run-time number is then reported again, with the using-local fix).
    private static ExpressionSyntax AsScalarOperand(SemanticModel model, ExpressionSyntax operand, CancellationToken token)
    {
        Optional<object?> constant = model.GetConstantValue(operand, token);
        ITypeSymbol? type = model.GetTypeInfo(operand, token).Type;
        return constant.HasValue && type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Int32
            or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_SByte
            ? ScalarsOf(operand)
            : operand.WithoutTrivia();
    }

    // using Scalar valueScalar = value; right before the statement, and the use reads the local.
    private static bool HoistIntoUsingLocal(DocumentEditor editor, SemanticModel model, ExpressionSyntax node, CancellationToken token)
    {
        StatementSyntax? statement = node.FirstAncestorOrSelf<StatementSyntax>();
        if (statement?.Parent is not (BlockSyntax or SwitchSectionSyntax))
        {
            return false;
        }

        ExpressionSyntax value = node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } ? access.Expression : node;
        string baseName = value switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
            _ => "value",
        };
        string name = UniqueName(model, statement, baseName.TrimStart('_') + "Scalar", token);

        // The implicit conversion in a using declaration's initializer makes a Scalar the local holds.
        ExpressionSyntax initializer = node is InvocationExpressionSyntax ? node.WithoutTrivia() : value.WithoutTrivia();
        LocalDeclarationStatementSyntax declaration = LocalDeclarationStatement(
                VariableDeclaration(Qualified("global::TorchSharp.Scalar"))
                    .AddVariables(VariableDeclarator(Identifier(name)).WithInitializer(EqualsValueClause(initializer))))
            .WithUsingKeyword(Token(SyntaxKind.UsingKeyword))
            .WithAdditionalAnnotations(Formatter.Annotation);
        editor.InsertBefore(statement, declaration);
        editor.ReplaceNode(node, IdentifierName(name).WithTriviaFrom(node));
        return true;
    }

    private static string UniqueName(SemanticModel model, StatementSyntax statement, string candidate, CancellationToken token)
    {
        var taken = new HashSet<string>(model.LookupSymbols(statement.SpanStart).Select(symbol => symbol.Name));
        SyntaxNode scope = statement.Parent ?? statement;
        foreach (var declarator in scope.DescendantNodes().OfType<VariableDeclaratorSyntax>())
        {
            taken.Add(declarator.Identifier.ValueText);
        }

        string name = candidate;
        for (int suffix = 2; taken.Contains(name); suffix++)
        {
            token.ThrowIfCancellationRequested();
            name = candidate + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return name;
    }

    private static bool Item(DocumentEditor editor, SemanticModel model, ExpressionSyntax node, string type, CancellationToken token)
    {
        ExpressionSyntax? tensor = node is CastExpressionSyntax cast ? cast.Expression : Receiver(model, node, token);
        string? dtype = type switch
        {
            "double" => "Float64",
            "float" => "Float32",
            "long" => "Int64",
            "int" => "Int32",
            "short" => "Int16",
            "byte" => "Byte",
            "sbyte" => "Int8",
            "bool" => "Bool",
            _ => null,
        };
        if (tensor is null || dtype is null)
        {
            return false;
        }

        ExpressionSyntax converted = Call(tensor, "to_type", Qualified("global::TorchSharp.torch.ScalarType." + dtype));
        ExpressionSyntax item = InvocationExpression(
            MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, converted,
                GenericName(Identifier("item")).AddTypeArgumentListArguments(ParseTypeName(type))));
        return Replace(editor, node, item);
    }

    // The tensor a member is called on: the receiver of t.m(...), or the first argument of a static
    // (or unreduced extension) call m(t, ...).
    private static ExpressionSyntax? Receiver(SemanticModel model, ExpressionSyntax node, CancellationToken token)
    {
        if (node is not InvocationExpressionSyntax invocation || model.GetSymbolInfo(invocation, token).Symbol is not IMethodSymbol method)
        {
            return null;
        }

        if (method.IsStatic && method.ReducedFrom is null)
        {
            return invocation.ArgumentList.Arguments.FirstOrDefault()?.Expression;
        }

        return invocation.Expression is MemberAccessExpressionSyntax access ? access.Expression : null;
    }

    private static bool IsTensor(ITypeSymbol type) => type.ToDisplayString() == "TorchSharp.torch.Tensor";

    private static ExpressionSyntax Call(ExpressionSyntax receiver, string name, params ExpressionSyntax[] arguments) =>
        InvocationExpression(
            MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, Parenthesize(receiver.WithoutTrivia()), IdentifierName(name)),
            ArgumentList(SeparatedList(arguments.Select(Argument))));

    private static ExpressionSyntax Negate(ExpressionSyntax operand) =>
        PrefixUnaryExpression(SyntaxKind.UnaryMinusExpression, Parenthesize(operand.WithoutTrivia()));

    private static ExpressionSyntax ScalarsOf(ExpressionSyntax value) =>
        InvocationExpression(
            MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, ScalarsType(), IdentifierName("Of")),
            ArgumentList(SingletonSeparatedList(Argument(value.WithoutTrivia()))));

    private static ExpressionSyntax ScalarsOne() =>
        MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, ScalarsType(), IdentifierName("One"));

    private static ExpressionSyntax ScalarsType() =>
        ((ExpressionSyntax)ParseName("global::StochasticBackprop.Scalars"))
            .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    private static NameSyntax Qualified(string name) =>
        ParseName(name).WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation);

    // A receiver or an operand of unary minus: anything but a primary expression needs parentheses.
    private static ExpressionSyntax Parenthesize(ExpressionSyntax expression) =>
        IsPrimary(expression) ? expression : ParenthesizedExpression(expression);
}
