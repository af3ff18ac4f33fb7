"""`minidl.utils`, laid out like `torch.utils`: `minidl.utils.data` is the data pipeline
(`from minidl.utils.data import DataLoader, TensorDataset`, as from `torch.utils.data`)."""

from minidl.utils import data
