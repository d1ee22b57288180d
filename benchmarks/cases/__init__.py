"""Every case of the matrix, in the order the tables show them."""
from . import (attention, cnn, conv, forms, lenet, lstm_lm, mlp, optimizer_step, per_op, pieces, rnn_loop, seed_net,
               throughput, transformer)

MODULES = (seed_net, forms, pieces, mlp, per_op, throughput, conv, lenet, cnn, attention, lstm_lm, rnn_loop,
           transformer, optimizer_step)


def all_cases():
    found = [case for module in MODULES for case in module.cases()]
    names = [case.name for case in found]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise AssertionError(f"case names must be unique: {duplicated}")
    return found


def by_name(name: str):
    return next(case for case in all_cases() if case.name == name)
