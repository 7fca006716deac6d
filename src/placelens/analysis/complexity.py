"""Economic complexity and relatedness (Hidalgo–Hausmann; docs/methods/complexity.md).

All functions take ``x``: an areas × activities DataFrame of an additive quantity. The
eigenproblem is solved in symmetric form: with M the 0/1 presence matrix, k_r its row sums
(diversity) and k_i its column sums (ubiquity), A = K_r^-1/2 M K_i^-1/2 and the activity
matrix M~ = K_i^-1 M' K_r^-1 M = K_i^-1/2 (A'A) K_i^1/2 share eigenvalues, so the PCI
eigenvector is K_i^-1/2 u with u the second eigenvector of the symmetric A'A (or, when there
are fewer areas than activities, of AA' in area space). Only the two leading eigenpairs are
computed.

Standardisation follows the Atlas / Stata ``ecomplexity`` convention (so results equal
py-ecomplexity's): ECI is z-scored; PCI is shifted and scaled by the raw ECI's mean and
standard deviation (keeping ECI = mean PCI of the place's activities); COI is z-scored; COG
is divided by the raw ECI's standard deviation. COI and COG use the raw PCI eigenvector.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # scipy is imported where it is used: profiles read stored results
    import scipy.sparse

#: Up to this many rows in the eigen-space, a dense symmetric solver is used.
SMALL_PROBLEM = 60


@dataclass
class ComplexityResult:
    """Every complexity quantity for one period, labelled by area and activity."""

    rca: pd.DataFrame
    presence: pd.DataFrame
    diversity: pd.Series
    ubiquity: pd.Series
    eci: pd.Series
    pci: pd.Series
    proximity: pd.DataFrame
    density: pd.DataFrame
    coi: pd.Series
    cog: pd.DataFrame
    orientation: str
    eigenvalue: float
    eigenvector: np.ndarray
    activity_shares: pd.Series  # national shares s_i, the RCA reference
    eci_raw_mean: float
    eci_raw_std: float
    dropped_areas: list = field(default_factory=list)
    dropped_activities: list = field(default_factory=list)

    def long(self) -> pd.DataFrame:
        """One row per area × activity (areas outer, activities inner), like py-ecomplexity's
        output."""
        n_areas, n_activities = self.presence.shape
        area_codes = np.repeat(np.arange(n_areas), n_activities)
        activity_codes = np.tile(np.arange(n_activities), n_areas)
        return pd.DataFrame({
            "area": self.presence.index.take(area_codes),
            "activity": self.presence.columns.take(activity_codes),
            "rca": self.rca.to_numpy().ravel(), "mcp": self.presence.to_numpy().ravel(),
            "density": self.density.to_numpy().ravel(), "cog": self.cog.to_numpy().ravel(),
            "diversity": self.diversity.to_numpy()[area_codes],
            "eci": self.eci.to_numpy()[area_codes], "coi": self.coi.to_numpy()[area_codes],
            "ubiquity": self.ubiquity.to_numpy()[activity_codes],
            "pci": self.pci.to_numpy()[activity_codes]})


def _rca_array(values: np.ndarray) -> np.ndarray:
    """RCA of non-negative values; 0 where an area or activity total is 0 (or not finite)."""
    area_totals, activity_totals = values.sum(axis=1, keepdims=True), \
        values.sum(axis=0, keepdims=True)
    total = values.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = values / area_totals
        out /= activity_totals / total
    if np.isfinite(total) and area_totals.all() and activity_totals.all():
        return out  # every quotient is finite
    return np.nan_to_num(out, copy=False, nan=0.0, posinf=0.0)


def _values(x: pd.DataFrame) -> np.ndarray:
    """``x`` as a new float64 array (results wrap arrays made from it, never ``x`` itself)."""
    values = x.to_numpy(dtype="float64", na_value=0.0, copy=True)
    if (values < 0).any():
        raise ValueError("x has negative values; complexity needs non-negative quantities")
    return values


def rca(x: pd.DataFrame) -> pd.DataFrame:
    """Balassa revealed comparative advantage (= location quotient); missing cells count 0.

    Parameters
    ----------
    x
        Areas × activities of a non-negative quantity.

    Returns
    -------
    pandas.DataFrame
        Areas × activities of RCA.

    References
    ----------
    Balassa (1965), "Trade liberalisation and revealed comparative advantage".
    """
    return pd.DataFrame(_rca_array(_values(x)), index=x.index, columns=x.columns)


def _rpop_array(values: np.ndarray, pop: np.ndarray) -> np.ndarray:
    per_head = values / pop[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(per_head / (values.sum(axis=0) / pop.sum())[None, :])


def _population(x: pd.DataFrame, population: pd.Series) -> np.ndarray:
    pop = population.reindex(x.index).astype("float64")
    if pop.isna().any() or (pop <= 0).any():
        missing = list(pop[pop.isna() | (pop <= 0)].index[:5])
        raise ValueError(f"population is missing or not positive for {missing}")
    return pop.to_numpy()


def rpop(x: pd.DataFrame, population: pd.Series) -> pd.DataFrame:
    """RPOP_ri = (x_ri / pop_r) / (sum_r x_ri / sum_r pop_r): presence per head.

    Parameters
    ----------
    x
        Areas × activities of a non-negative quantity.
    population
        Population of each area (index = the areas of ``x``).

    Returns
    -------
    pandas.DataFrame
        Areas × activities of RPOP.
    """
    return pd.DataFrame(_rpop_array(_values(x), _population(x, population)), index=x.index,
                        columns=x.columns)


def presence(values: pd.DataFrame, threshold: float = 1.0) -> pd.DataFrame:
    """M = 1 where the RCA (or RPOP) is at least ``threshold``, else 0.

    Parameters
    ----------
    values
        Areas × activities of RCA or RPOP.
    threshold
        Presence cut-off (1 by convention).

    Returns
    -------
    pandas.DataFrame
        The 0/1 presence matrix M.
    """
    return (values >= threshold).astype("float64")


def _second_eigenvector(a: np.ndarray | scipy.sparse.spmatrix, leading: np.ndarray,
                        in_activity_space: bool, start: np.ndarray | None = None
                        ) -> tuple[np.ndarray, float]:
    """Second eigenvector and eigenvalue of G = A'A (or AA').

    G's leading eigenpair is known exactly (eigenvalue 1, eigenvector ``leading`` =
    sqrt(k) normalised), so it is deflated away and Lanczos finds the leading eigenpair of
    G - u1 u1'. A dense A gives G in one symmetric matrix product, after which each Lanczos
    step reads G once (faster than two passes over A, even for 1,200 activities); a sparse A
    is only ever multiplied by vectors, so G is never formed. ``start`` (e.g. the previous
    period's vector) speeds convergence. Small problems, or a Lanczos run that does not
    converge, use a dense symmetric solver instead.
    """
    import scipy.linalg
    import scipy.sparse.linalg

    n = a.shape[1] if in_activity_space else a.shape[0]
    gram = None if scipy.sparse.issparse(a) else _gram(np.asarray(a), in_activity_space)
    if n > SMALL_PROBLEM:
        if gram is None:
            operator = scipy.sparse.linalg.LinearOperator(
                (n, n), dtype="float64", matvec=lambda v: _gram_product(a, v, in_activity_space)
                - leading * (leading @ v))
        else:
            operator = gram - np.outer(leading, leading)
        try:
            values, vectors = scipy.sparse.linalg.eigsh(operator, k=1, which="LA", tol=1e-12,
                                                        v0=start if start is not None and
                                                        len(start) == n else np.ones(n))
            return vectors[:, 0], float(values[0])
        except scipy.sparse.linalg.ArpackNoConvergence:
            pass
    if gram is None:
        gram = _gram(a.toarray(), in_activity_space)  # type: ignore[union-attr]
    values, vectors = scipy.linalg.eigh(gram, subset_by_index=[n - 2, n - 1])
    if abs(values[1] - values[0]) < 1e-9:
        warnings.warn("the two leading eigenvalues are equal: the presence network is "
                      "disconnected and ECI is not defined uniquely", stacklevel=3)
    return vectors[:, 0], float(values[0])


def _gram(a: np.ndarray, in_activity_space: bool) -> np.ndarray:
    """A'A or AA' (numpy computes a product of a matrix with its own transpose as one
    symmetric rank-k update)."""
    return a.T @ a if in_activity_space else a @ a.T


def _gram_product(a: scipy.sparse.spmatrix, v: np.ndarray, in_activity_space: bool
                  ) -> np.ndarray:
    """G v without forming G."""
    return a.T @ (a @ v) if in_activity_space else a @ (a.T @ v)


def _orient(kc: np.ndarray, areas: pd.Index, diversity: np.ndarray,
            orient_by: str | pd.Series) -> tuple[float, str]:
    """Sign making ECI correlate positively with ``orient_by`` ('diversity' or a Series)."""
    if isinstance(orient_by, str):
        if orient_by != "diversity":
            raise ValueError("orient_by must be 'diversity' or a Series of a variable "
                             "(e.g. productivity) indexed by area")
        reference, label = pd.Series(diversity, index=areas), "diversity"
    else:
        reference, label = orient_by.reindex(areas).astype("float64"), \
            f"{orient_by.name or 'the given variable'}"
    valid = reference.notna().to_numpy()
    if valid.sum() < 3:
        raise ValueError("orient_by has fewer than 3 values for the areas in x")
    r = float(np.corrcoef(kc[valid], reference.to_numpy()[valid])[0, 1])
    sign = -1.0 if r < 0 else 1.0
    return sign, f"ECI oriented to correlate positively with {label} (r = {abs(r):.3f})"


def complexity(x: pd.DataFrame, presence_test: str = "rca", threshold: float = 1.0,
               population: pd.Series | None = None,
               orient_by: str | pd.Series = "diversity",
               start: np.ndarray | None = None) -> ComplexityResult:
    """ECI, PCI, proximity, density, COI and COG for one period.

    ``presence_test``: ``"rca"`` (default), ``"rpop"`` (needs ``population``) or
    ``"manual"`` (``x`` already holds 0/1 presence). Areas with no presence and activities
    present nowhere are dropped (listed in the result) because they have no complexity.
    ``orient_by`` fixes the eigenvector's arbitrary sign: ``"diversity"`` (the convention for
    countries) or a Series such as GVA per hour, which suits UK sub-national data, where the
    diversity convention puts London at the bottom. ``start`` is an optional starting vector
    for the eigensolver (``complexity_panels.complexity_panel`` passes the previous period's).

    Parameters
    ----------
    x
        Areas × activities of a non-negative quantity.
    presence_test
        ``rca``, ``rpop`` or ``manual``.
    threshold
        Presence cut-off.
    population
        Needed for ``rpop``.
    orient_by
        ``diversity`` or a Series the ECI should correlate positively with.
    start
        Optional starting vector for the eigensolver.

    Returns
    -------
    ComplexityResult
        ECI, PCI, proximity, density, COI, COG, the presence matrix and what was dropped.

    References
    ----------
    Hidalgo & Hausmann (2009), "The building blocks of economic complexity", *PNAS* 106(26).
    Hidalgo, Klinger, Barabási & Hausmann (2007), "The product space conditions the
    development of nations", *Science* 317.
    """
    values = _values(x)
    activity_shares = values.sum(axis=0) / values.sum()
    ratio = _presence_ratio(values, x, presence_test, population)
    m_full = ratio if presence_test == "manual" else (ratio >= threshold).astype("float64")
    keep_areas, keep_activities = m_full.sum(axis=1) > 0, m_full.sum(axis=0) > 0
    if keep_areas.all() and keep_activities.all():  # nothing to drop: no copies
        m, areas, activities = m_full, x.index, x.columns
    else:
        kept = np.ix_(keep_areas, keep_activities)  # row-major (chained masks are not)
        m, ratio = m_full[kept], ratio[kept]
        areas, activities = x.index[keep_areas], x.columns[keep_activities]
    if len(areas) < 3 or len(activities) < 3:
        raise ValueError("complexity needs at least 3 areas and 3 activities with presence")
    k_c, k_p = m.sum(axis=1), m.sum(axis=0)
    kc, kp, vector, second = _eigen_scores(m, k_c, k_p, start)
    sign, orientation = _orient(kc, areas, k_c, orient_by)
    kc, kp = sign * kc, sign * kp
    phi, density, coi_raw, cog_raw = _relatedness(m, k_p, kp)

    mean, std = kc.mean(), kc.std()
    eci = (kc - mean) / std
    pci = (kp - mean) / std
    coi = (coi_raw - coi_raw.mean()) / coi_raw.std()
    cog = cog_raw / std

    frame = lambda v: pd.DataFrame(v, index=areas, columns=activities, copy=False)  # noqa: E731
    return ComplexityResult(
        rca=frame(ratio), presence=frame(m),
        diversity=pd.Series(k_c, index=areas, name="diversity"),
        ubiquity=pd.Series(k_p, index=activities, name="ubiquity"),
        eci=pd.Series(eci, index=areas, name="eci"),
        pci=pd.Series(pci, index=activities, name="pci"),
        proximity=pd.DataFrame(phi, index=activities, columns=activities, copy=False),
        density=frame(density), coi=pd.Series(coi, index=areas, name="coi"),
        cog=frame(cog), orientation=orientation, eigenvalue=second, eigenvector=vector,
        activity_shares=pd.Series(activity_shares[keep_activities], index=activities),
        eci_raw_mean=float(mean), eci_raw_std=float(std),
        dropped_areas=list(x.index[~keep_areas]),
        dropped_activities=list(x.columns[~keep_activities]))


def _presence_ratio(values: np.ndarray, x: pd.DataFrame, presence_test: str,
                    population: pd.Series | None) -> np.ndarray:
    """The matrix compared with the presence threshold: RCA, RPOP, or 0/1 as given."""
    if presence_test == "rca":
        return _rca_array(values)
    if presence_test == "rpop":
        if population is None:
            raise ValueError("presence_test='rpop' needs population")
        return _rpop_array(values, _population(x, population))
    if presence_test == "manual":
        if not np.isin(values, (0.0, 1.0)).all():
            raise ValueError("presence_test='manual' needs x to hold only 0 and 1")
        return values
    raise ValueError(f"presence_test must be 'rca', 'rpop' or 'manual', not {presence_test!r}")


def _eigen_scores(m: np.ndarray, k_c: np.ndarray, k_p: np.ndarray,
                  start: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Raw (unoriented, unstandardised) area and activity scores from the second eigenvector
    of the symmetric form of the method of reflections, solved in the smaller space."""
    import scipy.sparse

    in_activity_space = m.shape[1] <= m.shape[0]
    sparse = m.size > 1e6 and m.mean() < 0.1
    a_matrix = scipy.sparse.csr_matrix(m) if sparse else m
    inv_c, inv_p = 1 / np.sqrt(k_c), 1 / np.sqrt(k_p)
    scaled = (scipy.sparse.diags(inv_c) @ a_matrix @ scipy.sparse.diags(inv_p)).tocsr() \
        if sparse else m * inv_c[:, None] * inv_p[None, :]
    leading = np.sqrt(k_p if in_activity_space else k_c)
    vector, second = _second_eigenvector(scaled, leading / np.linalg.norm(leading),
                                         in_activity_space, start)
    if in_activity_space:
        kp = vector * inv_p
        return (m @ kp) / k_c, kp, vector, second
    kc = vector * inv_c
    kp = (m.T @ kc) / k_p / second
    return (m @ kp) / k_c, kp, vector, second


def _relatedness(m: np.ndarray, k_p: np.ndarray, kp: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Proximity, density, and the raw complexity outlook (COI) and gain (COG)."""
    m32 = m.astype(np.float32)  # co-occurrence counts are exact in float32 (< 2**24)
    phi = (m32.T @ m32).astype("float64")
    phi /= np.maximum(k_p[:, None], k_p[None, :])
    row_sums = phi.sum(axis=1)
    # density = M phi / row sums, and the COG sum (1 - M) W with W = diag(kp / row sums) phi,
    # i.e. 1'W - (M diag(kp / row sums)) phi: both are products with phi, so M and its
    # column-scaled copy are stacked and multiplied once (the scaling is on the smaller M).
    weight = kp / row_sums
    n_c = m.shape[0]
    stacked = np.empty((2 * n_c, m.shape[1]))
    stacked[:n_c] = m
    np.multiply(m, weight[None, :], out=stacked[n_c:])
    both = stacked @ phi
    density = both[:n_c]
    density /= row_sums[None, :]
    absent = 1 - m
    coi_raw = (density * absent) @ kp
    cog_raw = absent * ((weight @ phi)[None, :] - both[n_c:])
    return phi, density, coi_raw, cog_raw
