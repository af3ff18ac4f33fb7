def l2_penalty_grad(w, lam):
    return 2 * lam * w
