"""Callbacks with Keras's protocol and decision rules (see `base` for the events)."""

from minidl.train.callbacks.base import Callback, CallbackList
from minidl.train.callbacks.csv_logger import CSVLogger
from minidl.train.callbacks.early_stopping import EarlyStopping
from minidl.train.callbacks.lambda_callback import LambdaCallback
from minidl.train.callbacks.lr_schedule import LearningRateScheduler, ReduceLROnPlateau
from minidl.train.callbacks.model_checkpoint import ModelCheckpoint
from minidl.train.callbacks.monitor import MonitorCallback
from minidl.train.callbacks.nan import TerminateOnNaN
