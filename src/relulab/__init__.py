"""relulab: experiments that test popular claims about ReLU networks."""

__version__ = "0.1.0"
