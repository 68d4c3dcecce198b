using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace StochasticBackprop.Models;

/// <summary>
/// Which costs lie downstream of each site, found by autograd on a probe run whose site values are leaves: a cost
/// depends on a site directly when it is connected to the site's leaf, and through a later site when that site's
/// parameters are.
/// </summary>
internal sealed class Dependencies
{
    private Dependencies(string signature, bool[][] downstreamCosts, bool[][] local)
    {
        Signature = signature;
        DownstreamCosts = downstreamCosts;
        Local = local;
    }

    public string Signature { get; }

    /// <summary>[site][cost]: the cost depends on the site (directly or through later sites).</summary>
    public bool[][] DownstreamCosts { get; }

    /// <summary>[site][cost]: a downstream cost owned by the site, elementwise in its coordinates and independent of every later site: it multiplies only its own coordinate.</summary>
    public bool[][] Local { get; }


    public static Dependencies Find(Trace probe, string signature)
    {
        int sites = probe.Sites.Count;
        int costs = probe.Costs.Count;
        Tensor[] leaves = probe.Sites.Select(s => s.Leaf!).ToArray();
        var costOnSite = new bool[costs][];
        for (int c = 0; c < costs; c++)
        {
            costOnSite[c] = Connected(probe.Costs[c].Value, leaves);
        }
        var siteOnSite = new bool[sites][];
        for (int j = 0; j < sites; j++)
        {
            SiteRecord site = probe.Sites[j];
            Tensor anchor = site.Table ?? site.Distribution.Parameters.Where(p => p.dtype.IsFloatingPoint()).Select(p => p.sum()).Aggregate((a, b) => a.add(b, Scalars.One));
            siteOnSite[j] = Connected(anchor, leaves);
        }
        var downstreamSites = new bool[sites][];
        for (int k = sites - 1; k >= 0; k--)
        {
            downstreamSites[k] = new bool[sites];
            for (int j = k + 1; j < sites; j++)
            {
                if (siteOnSite[j][k])
                {
                    downstreamSites[k][j] = true;
                    for (int l = j + 1; l < sites; l++)
                    {
                        downstreamSites[k][l] |= downstreamSites[j][l];
                    }
                }
            }
        }
        var downstreamCosts = new bool[sites][];
        var local = new bool[sites][];
        for (int k = 0; k < sites; k++)
        {
            downstreamCosts[k] = new bool[costs];
            local[k] = new bool[costs];
            SiteRecord site = probe.Sites[k];
            long[] elementwise = new[] { probe.Rows }.Concat(site.Coordinates).ToArray();
            for (int c = 0; c < costs; c++)
            {
                bool direct = costOnSite[c][k];
                bool throughLater = Enumerable.Range(0, sites).Any(j => downstreamSites[k][j] && costOnSite[c][j]);
                downstreamCosts[k][c] = direct || throughLater;
                CostRecord cost = probe.Costs[c];
                local[k][c] = direct && !throughLater && cost.Owner == k && cost.Value.shape.SequenceEqual(elementwise);
            }
        }
        return new Dependencies(signature, downstreamCosts, local);
    }

    private static bool[] Connected(Tensor output, Tensor[] leaves)
    {
        var connected = new bool[leaves.Length];
        if (!output.requires_grad)
        {
            return connected;
        }
        IList<Tensor> gradients = torch.autograd.grad(new[] { output.sum() }, leaves, retain_graph: true, allow_unused: true);
        for (int i = 0; i < leaves.Length; i++)
        {
            connected[i] = gradients[i] is { IsInvalid: false };
        }
        return connected;
    }
}
