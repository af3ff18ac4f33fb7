"""PyTorch's spelling of the data pipeline: `from minidl.utils.data import DataLoader` works as
`from torch.utils.data import DataLoader` does. Everything here is defined in `minidl.data`."""

from minidl.data import *  # noqa: F403
from minidl.data import __all__  # noqa: F401
