import numpy as np


def lstm_cell_forward(x, h, c, w_ih, w_hh, b_ih, b_hh):
    a = x @ w_ih.T + b_ih + h @ w_hh.T + b_hh
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    i, f, o = (1 / (1 + np.exp(-z)) for z in (a_i, a_f, a_o))
    c_next = f * c + i * np.tanh(a_g)
    return o * np.tanh(c_next), c_next
