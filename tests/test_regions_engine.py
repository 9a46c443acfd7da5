"""The exact region engine against independent oracles: LP feasibility of sign patterns, Zaslavsky's count,
dense sampling, closed-form sawtooth counts, and identities (areas, distinct patterns, corners)."""

import itertools
from math import comb

import numpy as np
import pytest
from scipy.optimize import linprog

from relulab.regions import Box, Slice, count_along_path, count_regions, enumerate_regions
from relulab.regions.checks import grid_points
from relulab.regions.network import as_net, forward_patterns

BOX = Box(-1.0, 1.0, -1.0, 1.0)


def random_net(sizes, seed, bias=1.0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(o, i)) / np.sqrt(i), bias * rng.normal(size=o)) for i, o in zip(sizes[:-1], sizes[1:])]


def lp_regions(layers, box=(-1, 1, -1, 1), slope=0.0):
    """Count full-dimensional activation regions of a net by LP over sign patterns, layer by layer (oracle).

    A pattern is a region iff some ball of positive radius t satisfies every unit's sign constraint; rows that
    vanish identically on the current piece get pattern 0 with no constraint (as in the engine)."""
    hidden = layers[:-1]
    xmin, xmax, ymin, ymax = box
    count = 0

    def rec(layer, G, g, rows, rhs):  # G (n_in, 2), g (n_in,): layer input as an affine map of x
        nonlocal count
        if layer == len(hidden):
            count += 1
            return
        W, b = hidden[layer]
        A, a0 = W @ G, W @ g + b
        live = np.abs(A).sum(axis=1) + np.abs(a0) > 1e-12
        units = np.flatnonzero(live)
        for signs in itertools.product((1.0, -1.0), repeat=len(units)):
            s = np.zeros(len(b))
            s[units] = signs
            nr = [*rows]
            nh = [*rhs]
            for j in units:  # s_j (A_j x + a0_j) >= t |A_j|  <=>  -s_j A_j x + |A_j| t <= s_j a0_j
                nrm = np.linalg.norm(A[j]) + 1e-300
                nr.append([*(-s[j] * A[j]), nrm])
                nh.append(s[j] * a0[j])
            res = linprog([0, 0, -1], A_ub=np.array(nr), b_ub=np.array(nh),
                          bounds=[(xmin, xmax), (ymin, ymax), (None, 1.0)], method="highs")
            if res.status == 0 and -res.fun > 1e-9:
                d = np.where(s > 0, 1.0, slope)
                rec(layer + 1, d[:, None] * A, d * a0, nr, nh)

    rec(0, np.eye(2), np.zeros(2), [], [])
    return count


def lp_regions_maxout(layers, box=(-1, 1, -1, 1)):
    """Count maxout regions by LP over every choice of argmax piece per unit, layer by layer (oracle)."""
    hidden = layers[:-1]
    xmin, xmax, ymin, ymax = box
    count = 0

    def rec(layer, G, g, rows, rhs):
        nonlocal count
        if layer == len(hidden):
            count += 1
            return
        W, b = hidden[layer]
        A, a0 = np.einsum("koi,ix->kox", W, G), np.einsum("koi,i->ko", W, g) + b
        k, n = b.shape
        for choice in itertools.product(range(k), repeat=n):
            nr, nh = [*rows], [*rhs]
            for j, i in enumerate(choice):
                for m in range(k):
                    if m != i:  # z_i - z_m >= t |grad|
                        d, d0 = A[i, j] - A[m, j], a0[i, j] - a0[m, j]
                        nr.append([*(-d), np.linalg.norm(d)])
                        nh.append(d0)
            res = linprog([0, 0, -1], A_ub=np.array(nr), b_ub=np.array(nh),
                          bounds=[(xmin, xmax), (ymin, ymax), (None, 1.0)], method="highs")
            if res.status == 0 and -res.fun > 1e-9:
                idx = np.array(choice)
                rec(layer + 1, A[idx, np.arange(n)], a0[idx, np.arange(n)], nr, nh)

    rec(0, np.eye(2), np.zeros(2), [], [])
    return count


@pytest.mark.parametrize("seed", range(2))
def test_maxout_matches_lp(seed):
    rng = np.random.default_rng(seed)
    layers = [(rng.normal(size=(3, 3, 2)), rng.normal(size=(3, 3))),
              (rng.normal(size=(3, 2, 3)), rng.normal(size=(3, 2))),
              (rng.normal(size=(1, 2)), np.zeros(1))]
    part = enumerate_regions(layers, BOX, activation="maxout", k=3)
    assert part.n_regions == lp_regions_maxout(layers)
    assert part.self_check(grid=61)["ok"]


@pytest.mark.parametrize("seed", range(4))
def test_one_layer_matches_lp_and_zaslavsky(seed):
    layers = random_net([2, 6, 1], seed)
    assert count_regions(layers, BOX) == lp_regions(layers)
    # a box containing every intersection: lines in general position cut the plane into sum_{j<=2} C(n, j)
    W, b = layers[0]
    pts = [np.linalg.solve(W[[i, j]], -b[[i, j]]) for i, j in itertools.combinations(range(6), 2)]
    r = 2 * np.abs(pts).max() + 1
    assert count_regions(layers, Box(-r, r, -r, r)) == sum(comb(6, j) for j in range(3))


@pytest.mark.parametrize("seed", range(3))
def test_two_layers_match_lp(seed):
    layers = random_net([2, 4, 4, 1], seed)
    assert count_regions(layers, BOX) == lp_regions(layers)
    assert enumerate_regions(layers, BOX).n_regions == lp_regions(layers)


def test_leaky_same_regions_as_relu_and_own_lp():
    layers = random_net([2, 4, 4, 1], 7)
    relu = enumerate_regions(layers, BOX)
    leaky = enumerate_regions(layers, BOX, activation="leaky_relu", slope=0.1)
    assert leaky.n_regions == lp_regions(layers, slope=0.1)
    _, y = forward_patterns(leaky.net, leaky.centroids)  # leaky maps are the leaky network, not the relu one
    assert np.allclose(np.einsum("rok,rk->ro", leaky.A, leaky.centroids) + leaky.c, y)
    _, y_relu = forward_patterns(relu.net, leaky.centroids)
    assert not np.allclose(y, y_relu)
    # one hidden layer: the lines do not depend on the slope, so the partitions agree
    one = random_net([2, 5, 1], 3)
    assert count_regions(one, BOX) == count_regions(one, BOX, activation="leaky_relu", slope=0.3)


def test_partition_identities_and_affine_maps():
    layers = random_net([2, 16, 16, 16, 1], 0)
    part = enumerate_regions(layers, BOX)
    chk = part.self_check(grid=81)
    assert chk["ok"] and chk["areas_ok"] and chk["patterns_ok"] and chk["grid_ok"]
    assert chk["mean_corners"] == pytest.approx(4.0, abs=1e-12)  # generic subdivision of a box
    assert chk["grid_patterns"] <= part.n_regions
    # the stored affine map equals the network at each region's centroid, and the pattern too
    P, y = forward_patterns(part.net, part.centroids)
    assert np.allclose(np.einsum("rok,rk->ro", part.A, part.centroids) + part.c, y, atol=1e-10)
    assert np.array_equal(P, part.patterns)


def test_triangle_domain_corner_identity():
    layers = random_net([2, 12, 12, 1], 1)
    tri = Slice(np.zeros(2), np.eye(2), [[-1, -1], [1, -1], [0, 1]])
    chk = enumerate_regions(layers, tri).self_check(grid=61)
    assert chk["ok"]
    assert chk["mean_corners"] == pytest.approx(chk["corner_identity"], abs=1e-12)
    assert chk["corner_identity"] < 4


def test_degenerate_networks_match_lp():
    rng = np.random.default_rng(5)
    W1 = rng.normal(size=(7, 2))
    b1 = rng.normal(size=7) * 0.5
    W1[1], b1[1] = 0.0, 0.0  # zero row
    W1[2], b1[2] = W1[0], b1[0]  # duplicated unit
    W1[3], b1[3] = 4.0 * W1[0], 4.0 * b1[0]  # coincident line, rescaled (exactly: by a power of two; 2.5 * w rounds)
    W1[4], b1[4] = W1[5], b1[5] + 0.3  # parallel line
    W1[6], b1[6] = [1.0, -2.0], -(1.0 * 1.0 - 2.0 * -1.0)  # through the box corner (1, -1)
    W2 = rng.normal(size=(3, 7))
    layers = [(W1, b1), (W2, rng.normal(size=3)), (rng.normal(size=(1, 3)), np.zeros(1))]
    part = enumerate_regions(layers, BOX)
    assert part.n_regions == lp_regions(layers)
    chk = part.self_check(grid=81)
    assert chk["ok"]
    assert chk["mean_corners"] <= chk["corner_identity"] + 1e-12


def test_lines_through_vertices_of_earlier_regions():
    # four lines through the origin (one vertex for all) and x = 1/2, which meets two of them on the box edge
    W1 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -1.0], [1.0, 0.0]])
    b1 = np.array([0.0, 0.0, 0.0, 0.0, -0.5])
    layers = [(W1, b1), (np.ones((1, 5)), np.zeros(1))]
    part = enumerate_regions(layers, BOX)
    assert part.n_regions == lp_regions(layers) == 12  # 8 sectors, 4 of them cut by x = 1/2
    assert part.self_check(grid=41)["ok"]


def test_dead_layer_gives_one_region_and_dead_units_merge_linear_regions():
    layers = random_net([2, 6, 4, 1], 2)
    dead = [layers[0], (layers[1][0], layers[1][1] - 100.0), layers[2]]  # second layer never active
    part = enumerate_regions(dead, BOX)
    assert part.n_regions == lp_regions(dead) == count_regions([layers[0], (np.ones((1, 6)), np.zeros(1))], BOX)
    assert part.n_linear_regions() == 1  # output is constant: every region has the same (zero) map
    # partly dead: one unit of the last hidden layer is always off -> its line splits nothing, but a unit
    # whose outgoing weight is 0 splits regions that then merge back into one linear region
    W2, b2 = layers[1]
    Wo = np.zeros((1, 4))
    Wo[0, 0] = 1.0
    part = enumerate_regions([layers[0], (W2, b2), (Wo, np.zeros(1))], BOX)
    lone = enumerate_regions([layers[0], (W2[:1], b2[:1]), (np.ones((1, 1)), np.zeros(1))], BOX)
    assert part.n_regions > lone.n_regions
    assert part.n_linear_regions() == lone.n_linear_regions()


def test_linear_regions_against_sampled_gradients():
    layers = random_net([2, 8, 8, 1], 4)
    part = enumerate_regions(layers, BOX)
    assert part.n_linear_regions() == part.n_regions  # generic weights: every activation region is linear
    same = enumerate_regions(layers, BOX, activation="leaky_relu", slope=1.0)  # identity in disguise
    assert same.n_regions > 1 and same.n_linear_regions() == 1


def test_identity_activation_is_one_region():
    layers = random_net([2, 5, 5, 1], 0)
    part = enumerate_regions(layers, BOX, activation="identity")
    assert part.n_regions == 1
    x = np.array([[0.3, -0.2]])
    y = x @ layers[0][0].T + layers[0][1]
    y = y @ layers[1][0].T + layers[1][1]
    y = y @ layers[2][0].T + layers[2][1]
    assert np.allclose(part.A[0] @ x[0] + part.c[0], y[0])


def test_prelu_and_rrelu_slopes():
    layers = random_net([2, 5, 5, 1], 1)
    a = [np.linspace(0.1, 0.5, 5), np.linspace(0.2, 0.3, 5)]
    part = enumerate_regions(layers, BOX, activation="prelu", slope=a)
    net = as_net(layers, "prelu", a)
    _, y = forward_patterns(net, part.centroids)
    assert np.allclose(np.einsum("rok,rk->ro", part.A, part.centroids) + part.c, y)
    r = enumerate_regions(layers, BOX, activation="rrelu")
    assert np.allclose(as_net(layers, "rrelu").slopes[0], 1 / 5.5)
    assert r.self_check(grid=41)["ok"]


def test_maxout_tiny_cases():
    # one maxout unit of rank 3 whose pieces tie at the origin: 3 cells with 13 corners in all
    W = np.array([[[1.0, 0.0]], [[-0.5, 0.8]], [[-0.5, -0.8]]])
    b = np.zeros((3, 1))
    part = enumerate_regions([(W, b), (np.ones((1, 1)), np.zeros(1))], BOX, activation="maxout", k=3)
    assert part.n_regions == 3
    chk = part.self_check(grid=41)
    assert chk["ok"]
    assert chk["mean_corners"] == pytest.approx(13 / 3)  # a Y-junction (no straight angle) exceeds 4
    # random rank-2 maxout net: rank 2 is ReLU-like (max(z1, z2) = z2 + relu(z1 - z2)), so compare with LP
    rng = np.random.default_rng(0)
    W1, b1 = rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 4))
    W2, b2 = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3))
    mx = [(W1, b1), (W2, b2), (rng.normal(size=(1, 3)), np.zeros(1))]
    got = enumerate_regions(mx, BOX, activation="maxout")
    assert got.self_check(grid=81)["ok"]
    # equivalent ReLU net: h = z2 + relu(z1 - z2)
    assert got.n_regions == count_regions(mx, BOX, activation="maxout")
    P, y = forward_patterns(got.net, got.centroids)
    assert np.array_equal(P, got.patterns)
    assert np.allclose(np.einsum("rok,rk->ro", got.A, got.centroids) + got.c, y)


def test_slice_through_points_of_higher_dim_input():
    layers = random_net([5, 10, 10, 1], 3)
    rng = np.random.default_rng(1)
    dom = Slice.through_points(*rng.normal(size=(3, 5)), pad=0.2)
    part = enumerate_regions(layers, dom)
    assert part.self_check(grid=61)["ok"]
    X = dom.to_input(part.centroids)
    _, y = forward_patterns(part.net, X)
    assert np.allclose(np.einsum("rok,rk->ro", part.A, part.centroids) + part.c, y)
    with pytest.raises(ValueError, match="Slice"):
        count_regions(layers, BOX)


def sawtooth(k):
    """Telgarsky's k-fold tent map on [0, 1] (2^k linear pieces): t(x) = 2 relu(x) - 4 relu(x - 1/2)."""
    tent_in = (np.array([[1.0], [1.0]]), np.array([0.0, -0.5]))
    layers = [tent_in]
    for _ in range(k - 1):
        layers.append((np.array([[2.0, -4.0], [2.0, -4.0]]), np.array([0.0, -0.5])))
    layers.append((np.array([[2.0, -4.0]]), np.zeros(1)))
    return layers


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_sawtooth_counts_along_segment(k):
    layers = sawtooth(k)
    pts = np.array([[0.0], [1.0]])
    assert count_along_path(layers, pts, kind="linear") == 2 ** k
    # activation pieces vs dense sampling of patterns (the oracle), and the function values are right
    x = ((np.arange(200_000) + 1 / np.sqrt(2)) / 200_000)[:, None]  # irrational offset: no dyadic kinks hit
    P, y = forward_patterns(as_net(layers), x)
    sampled = 1 + int(np.any(P[1:] != P[:-1], axis=1).sum())
    assert count_along_path(layers, pts) == sampled
    tent = x[:, 0]
    for _ in range(k):
        tent = np.where(tent < 0.5, 2 * tent, 2 - 2 * tent)
    assert np.allclose(y[:, 0], tent)


def test_path_counts_vs_sampling_and_vs_2d_boundary():
    layers = random_net([2, 12, 12, 1], 6)
    seg = np.array([[-1.0, -0.3], [1.0, 0.7]])
    t = np.linspace(0, 1, 400_001)[:, None]
    P, _ = forward_patterns(as_net(layers), seg[0] + t * (seg[1] - seg[0]))
    assert count_along_path(layers, seg) == 1 + int(np.any(P[1:] != P[:-1], axis=1).sum())
    # around the box boundary (closed): one piece per region with an edge on the boundary
    part = enumerate_regions(layers, BOX)
    corners = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]])
    e = part.xy[part.next_vertex] - part.xy
    on = (np.isclose(np.abs(part.xy), 1.0) & np.isclose(np.abs(part.xy[part.next_vertex]), 1.0)
          & np.isclose(e, 0.0)).any(axis=1)
    touching = len(np.unique(part.owner[on]))
    assert count_along_path(layers, corners, closed=True) == touching
    loop = count_along_path(layers, np.concatenate([corners, corners[:1]]), closed=False)
    assert loop - touching in (0, 1)  # the open loop splits the piece through its start point, if any


def test_grid_patterns_subset_and_count_consistency():
    layers = random_net([2, 32, 32, 32, 1], 8, bias=0.3)
    part = enumerate_regions(layers, BOX)
    G = grid_points(BOX, 301)
    P, _ = forward_patterns(part.net, G)
    exact = {p.tobytes() for p in part.patterns}
    assert {p.tobytes() for p in P} <= exact
    assert count_regions(layers, BOX) == part.n_regions
    assert part.areas.sum() == pytest.approx(4.0, rel=1e-12)


def test_bad_inputs_raise_clear_errors():
    layers = random_net([2, 3, 1], 0)
    with pytest.raises(ValueError, match="piecewise linear"):
        count_regions(layers, BOX, activation="tanh")
    with pytest.raises(ValueError, match="inputs"):
        count_regions([layers[0], (np.ones((1, 4)), np.zeros(1))], BOX)
    with pytest.raises(ValueError, match="box"):
        Box(1, 0, 0, 1)
    with pytest.raises(ValueError, match="convex"):
        Slice(np.zeros(2), np.eye(2), [[0, 0], [1, 0], [0.2, 0.2], [0, 1]])
    with pytest.raises(ValueError, match="non-finite"):
        count_regions([(np.full((2, 2), np.nan), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))], BOX)


# --- linear-region merge: edge provenance against the original probing merge and known answers ---

def big_box(W, b):
    """A box containing every pairwise intersection of the lines W x + b = 0 (general position)."""
    pts = [np.linalg.solve(W[[i, j]], -b[[i, j]]) for i, j in itertools.combinations(range(len(b)), 2)]
    r = 2 * np.abs(pts).max() + 1
    return Box(-r, r, -r, r)


@pytest.mark.parametrize("sizes, activation, seed", [
    ([2, 8, 1], "relu", 0), ([2, 6, 6, 1], "relu", 1), ([2, 5, 5, 5, 1], "relu", 2),
    ([2, 16, 16, 16, 16, 1], "relu", 3),
    ([2, 8, 8, 1], "leaky_relu", 4), ([2, 6, 6, 6, 1], "leaky_relu", 5), ([2, 8, 8, 2], "prelu", 6)])
def test_provenance_merge_equals_probing_merge(sizes, activation, seed):
    from relulab.regions.checks import linear_labels_probing
    from relulab.regions.linear import adjacent_pairs, probe_pairs, provenance_pairs

    part = enumerate_regions(random_net(sizes, seed), BOX, activation=activation)
    pairs, uncovered = provenance_pairs(part)
    assert len(uncovered) == 0  # generic weights: every labelled edge's twin is found and covers it
    assert np.array_equal(adjacent_pairs(part), probe_pairs(part))
    assert np.array_equal(part.linear_labels(), linear_labels_probing(part))


def test_edge_provenance_names_the_lines():
    """One hidden layer: an edge labelled u lies on unit u's line, an edge labelled -1 on the box boundary."""
    W, b = random_net([2, 7, 1], 3)[0]
    part = enumerate_regions([(W, b), (np.ones((1, 7)), np.zeros(1))], BOX)
    E, xy, nx = part.edge_unit, part.xy, part.next_vertex
    assert E.shape == (len(xy),) and E.min() == -1 and set(E[E >= 0]) <= set(range(7))
    lab = E >= 0
    for p in (xy[lab], xy[nx[lab]]):
        z = np.einsum("vk,vk->v", W[E[lab]], p) + b[E[lab]]
        assert np.abs(z).max() < 1e-9
    mid = (xy[~lab] + xy[nx[~lab]]) / 2
    assert np.allclose(np.abs(mid).max(axis=1), 1.0)
    # deeper layers: labels index the pattern columns, so crossing an edge flips exactly that bit
    deep = enumerate_regions(random_net([2, 5, 5, 1], 1), BOX)
    assert deep.edge_unit.max() < deep.patterns.shape[1] == 10


@pytest.mark.parametrize("seed", range(3))
def test_zero_outgoing_weights_merge_to_the_smaller_arrangement(seed):
    """2 -> 8 -> 1 with k units' outgoing weights zero: activation regions are the arrangement of 8 lines,
    linear regions that of the 8 - k others, both known by Zaslavsky in a box holding every crossing."""
    (W, b), (Wo, bo) = random_net([2, 8, 1], seed)
    k = seed + 1
    Wo = Wo.copy()
    Wo[0, :k] = 0.0
    part = enumerate_regions([(W, b), (Wo, bo)], big_box(W, b))
    assert part.n_regions == sum(comb(8, j) for j in range(3))
    assert part.n_linear_regions() == sum(comb(8 - k, j) for j in range(3))
    leaky = enumerate_regions([(W, b), (Wo, bo)], big_box(W, b), activation="leaky_relu", slope=0.2)
    assert leaky.n_linear_regions() == sum(comb(8 - k, j) for j in range(3))


def test_duplicated_lines_fall_back_and_merge():
    """Units z and -z share a line (twin lookup by one bit fails there); relu(z) - relu(-z) = z is linear."""
    (W, b), _ = random_net([2, 3, 1], 4)
    W2, b2 = np.concatenate([W, -W[:2]]), np.concatenate([b, -b[:2]])  # units 3, 4 mirror units 0, 1
    box = big_box(W, b)
    from relulab.regions.linear import provenance_pairs

    # output z0 + z1 (as relu differences) + relu(z2): only unit 2's line bends it -> 2 linear regions
    part = enumerate_regions([(W2, b2), (np.array([[1.0, 1.0, 1.0, -1.0, -1.0]]), np.zeros(1))], box)
    assert part.n_regions == sum(comb(3, j) for j in range(3))
    assert len(provenance_pairs(part)[1]) > 0  # edges on the shared lines need the probing fallback
    assert part.n_linear_regions() == 2
    # |z0| = relu(z0) + relu(-z0) bends on line 0 too: the arrangement of lines 0 and 2 -> 4 regions
    absn = enumerate_regions([(W2, b2), (np.array([[1.0, 0.0, 1.0, 1.0, 0.0]]), np.zeros(1))], box)
    assert absn.n_linear_regions() == 4


def test_unit_feeding_nothing_in_a_deep_net_merges_like_probing():
    from relulab.regions.checks import linear_labels_probing

    layers = random_net([2, 6, 6, 6, 1], 8)
    full = enumerate_regions(layers, BOX)
    u = int(np.bincount(full.edge_unit[full.edge_unit >= 0], minlength=18)[6:12].argmax())  # a layer-1 unit
    W, b = layers[2]
    W = W.copy()
    W[:, u] = 0.0  # unit u of hidden layer 1 feeds nothing: its line splits regions with equal maps
    layers[2] = (W, b)
    part = enumerate_regions(layers, BOX)
    assert part.n_linear_regions() < part.n_regions
    assert np.array_equal(part.linear_labels(), linear_labels_probing(part))
