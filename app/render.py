"""Fast PNG frames from matplotlib: the static part is drawn once, the live artists each week.

A figure's axes, labels, legends and reporting lines do not change from one week to the next;
only the coloured dots and the lines' data do. ``BlitFigure`` draws the static part once into a
cached background (Agg's ``copy_from_bbox``), then each frame restores it, draws only the live
artists and encodes the pixels with a fast PNG setting. That keeps a frame of 300 people and
3,000 customers to a few tens of milliseconds instead of a full redraw.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402
from PIL import Image, ImageChops  # noqa: E402

#: Colours of a live frame's PNG (a palette image; see :meth:`BlitFigure.png`).
FRAME_COLOURS = 256
#: The most (of 255) any channel of a pixel may move when a frame reuses the last frame's
#: palette for what changed (:meth:`BlitFigure._palette_frame`); a fresh octree palette moves
#: none by more than about 14 in the app's pictures.
PALETTE_TOLERANCE = 16


class BlitFigure:
    """A figure with a cached static background and a set of live artists.

    Subclasses create ``self.fig`` with :meth:`_init_figure`, register the artists that change
    with :meth:`_live`, hand new static artists drawn over what is there (a marker line, its
    label) to :meth:`_static`, and call :meth:`invalidate` when something static changes under
    other artists (limits, ticks, a title).
    """

    fig: Figure

    def _init_figure(self, size: tuple[float, float], dpi: int) -> Figure:
        self.dpi = dpi
        self.fig = Figure(figsize=size, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self._live_artists: list[Artist] = []
        self._bg = None
        self._pending: list[Artist] = []
        self._dirty: list[Axes] = []
        #: Each panel's extent (ticks, labels, title) at the last full draw (display pixels).
        self._boxes: dict[Axes, Bbox] = {}
        return self.fig

    def _live(self, artists: Iterable[Artist]) -> None:
        for a in artists:
            a.set_animated(True)
            self._live_artists.append(a)

    def _static(self, artists: Iterable[Artist]) -> None:
        """New static artists (already added to the figure), drawn onto the cached background at
        the next frame instead of redrawing the whole figure.

        A full redraw of the six-panel charts costs about 110 ms of CPU (ticks, labels, grids:
        half a Step's budget, and it came at the CRM go-live, the Step a trainer makes first);
        painting a marker's lines and label onto the cached pixels costs about a millisecond.
        Meant for artists drawn over what is there (a vertical marker line, a label on an
        empty strip of the figure); where one crosses a panel's legend it lies over the legend's
        text, where a full redraw puts the text over it (a few hundred pixels of a 880 x 352
        picture, tests/test_app_room.py).
        """
        made = list(artists)  # a generator makes its artists here, whether or not they wait
        if self._bg is not None:  # no background yet: the next full draw includes them
            self._pending.extend(made)

    def invalidate(self) -> None:
        """Redraw the static background at the next frame."""
        self._bg = None
        self._pending = []
        self._dirty = []

    def invalidate_axes(self, ax: Axes) -> None:
        """Redraw only panel ``ax`` of the static background at the next frame (its limits
        changed): a sixth of the cost of a full redraw of the six-panel charts. Done as a full
        redraw when the panel's old or new extent would touch anything else in the figure."""
        if self._bg is not None and ax not in self._dirty:
            self._dirty.append(ax)

    def _redraw_panels(self) -> bool:
        """Clear and draw again each panel in ``_dirty`` on the restored background; False
        (nothing drawn) when a panel's extent, old or new, would overlap another's or a
        figure-level artist's, so that clearing it would erase their pixels."""
        renderer = self.canvas.get_renderer()
        regions = []
        for ax in self._dirty:
            old = self._boxes.get(ax)
            new = ax.get_tightbbox(renderer)
            if old is None or new is None:
                return False
            box = Bbox.union([old, new]).padded(2)
            others = [b for a, b in self._boxes.items() if a is not ax]
            others += [leg.get_window_extent(renderer) for leg in self.fig.legends]
            others += [t.get_window_extent(renderer) for t in self.fig.texts]
            if any(box.overlaps(b) for b in others):
                return False
            regions.append((ax, box, new))
        rgba = np.asarray(self.canvas.buffer_rgba())
        h, w = rgba.shape[:2]
        face = (np.array(self.fig.get_facecolor()) * 255).round().astype(np.uint8)
        for ax, box, new in regions:
            x0, x1 = max(int(box.x0), 0), min(int(np.ceil(box.x1)), w)
            y0, y1 = max(int(h - np.ceil(box.y1)), 0), min(int(h - box.y0), h)
            rgba[y0:y1, x0:x1] = face
            self.fig.draw_artist(ax)  # its animated artists (the live lines) are skipped
            self._boxes[ax] = new
        # the new static artists of a redrawn panel were drawn with it
        self._pending = [a for a in self._pending if a.axes not in self._dirty]
        return True

    def draw(self) -> None:
        """Draw the frame into the canvas (background restored, live artists on top)."""
        if self._bg is not None and self._dirty:
            self.canvas.restore_region(self._bg)
            if not self._redraw_panels():
                self.invalidate()
            else:
                self._dirty = []
                self._bg = self.canvas.copy_from_bbox(self.fig.bbox)
        if self._bg is None:
            self.canvas.draw()  # animated artists are skipped by a full draw
            self._bg = self.canvas.copy_from_bbox(self.fig.bbox)
            self._pending, self._dirty = [], []
            renderer = self.canvas.get_renderer()
            boxes = {ax: ax.get_tightbbox(renderer) for ax in self.fig.axes if ax.get_visible()}
            self._boxes = {ax: b for ax, b in boxes.items() if b is not None}
        else:
            self.canvas.restore_region(self._bg)
            if self._pending:
                self._paint_pending()
        for a in self._live_artists:
            if a.get_visible():
                self.fig.draw_artist(a)

    def _paint_pending(self) -> None:
        """Paint the new static artists onto the restored background and keep the result as the
        background (a legend they cross is not painted again: its antialiased text would
        thicken at each repaint)."""
        renderer = self.canvas.get_renderer()
        for a in self._pending:
            self.fig.draw_artist(a)
            if a.axes in self._boxes:  # what a panel covers grows with what is painted in it
                self._boxes[a.axes] = Bbox.union(
                    [self._boxes[a.axes], a.get_window_extent(renderer)]
                )
        self._pending = []
        self._bg = self.canvas.copy_from_bbox(self.fig.bbox)

    def overlay(self, rgba: np.ndarray) -> None:
        """Paint extra marks straight into the frame's pixels; none by default.

        Args:
            rgba: the canvas's own (height, width, 4) uint8 pixels, C-contiguous, rows top-down.
        """

    def png(self) -> bytes:
        """The current frame as PNG bytes: at most ``FRAME_COLOURS`` colours, fast compression.

        A frame has a few hundred to about 1,200 distinct colours, most of them the antialiased
        edges between a few flat ones; mapped to a palette of 256 (octree, no dithering) no
        channel moves by more than about 14 of 255 in the app's pictures, and the PNG is a third
        to two thirds the size (an org view 60 kB -> 22 kB) and encodes in about 4 ms instead of
        6-7. Most weeks only the pixels that changed are mapped, to the last frame's palette
        (:meth:`_palette_frame`, at most ``PALETTE_TOLERANCE`` off), which leaves about 1 ms of
        PNG encoding a picture (docs/PERFORMANCE.md). Downloads (:meth:`full_png`) keep every
        colour.
        """
        self.draw()
        pixels = self.canvas.buffer_rgba()
        rgba = np.asarray(pixels)
        # the overlay paints straight into the canvas (no copy of the frame): the next draw()
        # restores the whole background over it, and a full export draws everything again
        self.overlay(rgba)
        buf = io.BytesIO()
        self._palette_frame(rgba).save(buf, format="png", compress_level=1)
        return buf.getvalue()

    def _palette_frame(self, rgba: np.ndarray) -> Image.Image:
        """The frame as a palette image: only what changed since the last frame is mapped.

        From one week to the next most pixels do not change (a chart's lines gain a segment at
        the current week). The rectangle around the changed pixels is mapped to the last
        frame's palette and pasted into the last frame; when some colour there is farther than
        ``PALETTE_TOLERANCE`` from every palette colour (a new mark, a rescaled axis, the first
        frame), the whole frame gets a new octree palette instead (about 2-3 ms a picture,
        where the rectangle costs a few tenths of a millisecond).
        """
        h, w = rgba.shape[:2]
        # one C pass from the canvas's RGBA to RGB; np.array(...)[..., :3] and
        # Image.fromarray copied the frame twice (1.5-2.6 ms a picture, docs/PERFORMANCE.md)
        full = Image.frombuffer("RGBA", (w, h), rgba, "raw", "RGBA", 0, 1)
        out = None
        prev = getattr(self, "_last_frame", None)
        if prev is not None and prev[0].shape == rgba.shape:
            changed = rgba.view(np.uint32)[..., 0] != prev[0].view(np.uint32)[..., 0]
            rows = np.flatnonzero(changed.any(axis=1))
            if rows.size == 0:
                out = prev[1]
            else:
                cols = np.flatnonzero(changed.any(axis=0))
                box = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
                crop = full.crop(box).convert("RGB")
                mapped = crop.quantize(palette=prev[1], dither=Image.Dither.NONE)
                off = ImageChops.difference(mapped.convert("RGB"), crop).getextrema()
                if max(hi for _, hi in off) <= PALETTE_TOLERANCE:
                    out = prev[1].copy()
                    out.paste(mapped, box[:2])
        if out is None:
            out = full.convert("RGB").quantize(
                colors=FRAME_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
            )
        self._last_frame = (rgba.copy(), out)
        return out

    def _export_only(self) -> list[Artist]:
        """Artists that the fast path paints with :meth:`overlay` but a full export draws."""
        return []

    def full_png(self, dpi: int | None = None) -> bytes:
        """A full redraw at any resolution (for downloads), live artists included."""
        for a in self._live_artists:
            a.set_animated(False)
        for a in self._export_only():
            a.set_visible(True)
        try:
            buf = io.BytesIO()
            self.fig.savefig(buf, format="png", dpi=dpi or self.dpi)
        finally:
            for a in self._live_artists:
                a.set_animated(True)
            for a in self._export_only():
                a.set_visible(False)
            self._bg = None
        return buf.getvalue()
