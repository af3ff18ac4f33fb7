import math


def cosine_annealing_lr(epoch, base_lr, T_max, eta_min=0):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / T_max)) / 2
