"""Figures of a campaign: stock bands per system, stock-out nights, monthly hits."""

from __future__ import annotations

from typing import Any

import numpy as np

from skyshield.campaigns.simulate import CampaignResult

__all__ = ["plot_campaign"]


def plot_campaign(results: dict[str, CampaignResult]) -> Any:
    """Draw one figure of the schedules' results.

    Per tracked system its stock (median, 5-95%) per schedule and the distribution of the
    stock-out night; below, cumulative hits per schedule.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    first = next(iter(results.values()))
    systems = first.plan.systems
    n = len(systems)
    fig, axes = plt.subplots(n + 1, 2, figsize=(11, 2.4 * (n + 1)), squeeze=False)
    nights = np.arange(first.plan.nights + 1)
    for label, result in results.items():
        out_night = result.stockout_night()
        for s, system in enumerate(systems):
            stock = result.stock[:, :, s]
            ax = axes[s, 0]
            line = ax.plot(nights, np.median(stock, axis=0), label=label)[0]
            ax.fill_between(
                nights,
                np.quantile(stock, 0.05, axis=0),
                np.quantile(stock, 0.95, axis=0),
                color=line.get_color(),
                alpha=0.2,
            )
            ax.set_title(f"{system}: national stock (median, 5-95%)", fontsize=9)
            ax.set_ylabel("rounds")
            ran_out = out_night[:, s][out_night[:, s] > 0]
            share = ran_out.size / result.replications
            axes[s, 1].hist(
                ran_out,
                bins=np.arange(1, result.plan.nights + 2, 7),
                alpha=0.5,
                label=f"{label}: P(out) {share:.2f}",
                color=line.get_color(),
            )
            axes[s, 1].set_title(f"{system}: first night without rounds", fontsize=9)
            axes[s, 1].legend(fontsize=7)
        monthly = result.hits.reshape(result.replications, -1, 3)
        axes[n, 0].plot(nights[:-1], np.cumsum(monthly.sum(axis=2).mean(axis=0)), label=label)
        axes[n, 1].plot(
            nights[:-1], np.cumsum(result.hits[:, :, 1:].sum(axis=2).mean(axis=0)), label=label
        )
    axes[n, 0].set_title("hits, all classes (cumulative mean)", fontsize=9)
    axes[n, 1].set_title("missile hits: cruise + ballistic (cumulative mean)", fontsize=9)
    for ax in axes[n]:
        ax.set_xlabel("night")
        ax.legend(fontsize=7)
    axes[0, 0].legend(fontsize=7)
    fig.suptitle(
        f"campaign from {first.plan.start} ({first.plan.nights} nights, "
        f"{first.replications} replications) - notional posture, assumed stocks",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
