"""The figures and tables the regions family shows in the report, with captions a reader can follow."""

FIG, TBL = "results/regions/figures", "results/regions/tables"

MANIFEST = [
    {"id": "fig-regions-bounds", "kind": "figure", "path": f"{FIG}/bounds.png", "claims": "R1 R3 F10",
     "caption": "Left: region bounds for a fixed budget of hidden units split into L equal layers (2-D input), with "
                "exact engine counts of Montufar's folding construction (circles) and of typical random networks "
                "(squares). Middle: depth at a fixed width per layer: the folding construction (diamonds), the one-layer "
                "maximum with the same units (dashed), Telgarsky's sawtooth and the 2-D tent fold, all counted "
                "exactly, with their 2^L and 4^L formulas. Right: maxout "
                "construction vs Theorem 8's k^(L-1) k^2."},
    {"id": "fig-regions-folding", "kind": "figure", "path": f"{FIG}/folding.png", "claims": "R2 F10",
     "caption": "Input space coloured by the activation pattern of one intermediate layer; dots mark every input "
                "mapped to the same hidden vector as one probe point, for the folding construction and for a random network of the same "
                "widths."},
    {"id": "fig-regions-scaling", "kind": "figure", "path": f"{FIG}/scaling.png", "claims": "R1 R5 F10",
     "caption": "Typical networks. Left: regions of random networks against the number of neurons, one line "
                "per depth (Hanin and Rolnick predict a power of the neuron count). Middle: at a fixed unit budget, regions vs depth at initialisation and after "
                "training. Right: regions in planes through three digit images before vs after training."},
    {"id": "fig-regions-maps", "kind": "figure", "path": f"{FIG}/maps.png", "claims": "R5 R1",
     "caption": "Exact linear regions (top, one colour per region) and the learned surface (bottom) of the "
                "shallowest and deepest ReLU network of the surfaces grid, at initialisation and after training."},
    {"id": "fig-regions-approx", "kind": "figure", "path": f"{FIG}/approx.png", "claims": "A2 F11",
     "caption": "Normalised test error of ReLU networks trained on 2-D targets against their number of linear "
                "regions (left) and hidden units (right); medians over seeds, grey dots single networks."},
    {"id": "tbl-regions-bounds", "kind": "table", "path": f"{TBL}/bounds.csv", "claims": "R1",
     "caption": "Exact integer bounds on the number of regions at the largest unit budget, by depth."},
    {"id": "tbl-regions-constructions", "kind": "table", "path": f"{TBL}/constructions.csv", "claims": "R1 F10",
     "caption": "Constructions: theoretical count, exact activation and linear regions, and the maximum a "
                "one-layer network with the same units can reach."},
    {"id": "tbl-regions-fixed-width", "kind": "table", "path": f"{TBL}/fixed_width.csv", "claims": "R1",
     "caption": "Montufar's folding construction with every layer of the same width, depth varied: Theorem 4's "
                "formula, exact activation and linear regions counted by the engine, and the exact maximum of a "
                "one-layer network with the same total units."},
    {"id": "tbl-regions-maxout", "kind": "table", "path": f"{TBL}/maxout.csv", "claims": "R3",
     "caption": "Maxout construction: exact regions vs Theorem 8's lower bound and Serra et al.'s upper bound."},
    {"id": "tbl-regions-trained", "kind": "table", "path": f"{TBL}/trained.csv", "claims": "R1 R5",
     "caption": "Linear regions of the surfaces networks on [-1, 1]^2: median over seeds and tasks with 95% "
                "order-statistic CI, at initialisation (zero biases) and after training, with the median final train loss."},
    {"id": "tbl-regions-digits", "kind": "table", "path": f"{TBL}/digits.csv", "claims": "R5",
     "caption": "Linear regions of the digits MLP in planes through three test images, median over seeds and slices."},
    {"id": "tbl-regions-scaling", "kind": "table", "path": f"{TBL}/scaling.csv", "claims": "F10 R1",
     "caption": "Fit log(regions) = a + b log(neurons) + c depth over random networks: b is the neuron exponent, "
                "exp(c) the factor per extra layer at a fixed number of neurons."},
    {"id": "tbl-regions-approx", "kind": "table", "path": f"{TBL}/approx.csv", "claims": "A2 F11",
     "caption": "Normalised test MSE (median and CI over seeds) per target, depth and width, with medians of the "
                "parameter count, the learning rate chosen on the tuning seeds, linear regions, normalised train MSE, "
                "relative slope error and gradient TV ratio (learned over target)."},
    {"id": "tbl-regions-folding", "kind": "table", "path": f"{TBL}/folding.csv", "claims": "R2",
     "caption": "Number of inputs that share one intermediate-layer output, per probe point: construction vs random."},
]
