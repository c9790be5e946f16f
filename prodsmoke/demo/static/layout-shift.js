// Demo fault layout-shift (CLS): a promo banner injected at the top of the page with no space
// reserved for it. Its image arrives late (after the first paint) and pushes the page down, by a
// height chosen so that the shift scores about __SCORE__ the way Chromium scores one: the share of
// the viewport the moved boxes cover before and after the move (impact fraction) times how far
// they moved over the viewport's larger side (distance fraction). The heights tried are laid out
// and measured here, within one task, so none of them is ever painted (nor counted as a shift).
(() => {
  const target = __SCORE__;
  const root = document.documentElement;
  const view = {w: root.clientWidth, h: root.clientHeight};
  const boxes = [...document.body.children].filter((e) => !(e instanceof HTMLScriptElement));
  // Chromium scores a box by what it paints, its shadow included (1.5 x the blur, plus spread).
  const outsets = boxes.map((e) => {
    const out = {left: 0, right: 0, top: 0, bottom: 0};
    const shadow = /(-?[\d.]+)px (-?[\d.]+)px ([\d.]+)px (-?[\d.]+)px(?! inset)/g;
    for (const [, x, y, blur, spread] of getComputedStyle(e).boxShadow.matchAll(shadow)) {
      const reach = 1.5 * Number(blur) + Number(spread);
      out.left = Math.max(out.left, reach - Number(x));
      out.right = Math.max(out.right, reach + Number(x));
      out.top = Math.max(out.top, reach - Number(y));
      out.bottom = Math.max(out.bottom, reach + Number(y));
    }
    return out;
  });
  const rects = () => boxes.map((e, i) => {
    const r = e.getBoundingClientRect(), o = outsets[i];
    return {left: r.left - o.left, right: r.right + o.right, top: r.top - o.top,
            bottom: r.bottom + o.bottom, width: r.width, height: r.height};
  });
  const before = rects();
  const probe = document.createElement("div");
  probe.style.cssText = "display:block;flex:none;margin:0;padding:0;border:0";

  const unionArea = (list) => {
    const clipped = list
      .map((r) => [Math.max(0, r.left), Math.min(view.w, r.right),
                   Math.max(0, r.top), Math.min(view.h, r.bottom)])
      .filter(([x0, x1, y0, y1]) => x1 > x0 && y1 > y0);
    const ys = [...new Set(clipped.flatMap((r) => [r[2], r[3]]))].sort((a, b) => a - b);
    let area = 0;
    for (let k = 0; k + 1 < ys.length; k++) {
      const spans = clipped.filter((r) => r[2] <= ys[k] && r[3] >= ys[k + 1])
        .map((r) => [r[0], r[1]]).sort((a, b) => a[0] - b[0]);
      let covered = 0, end = -Infinity;
      for (const [x0, x1] of spans) {
        if (x1 <= end) continue;
        covered += x1 - Math.max(x0, end);
        end = x1;
      }
      area += covered * (ys[k + 1] - ys[k]);
    }
    return area;
  };
  const score = (height) => {
    probe.style.height = height + "px";
    document.body.prepend(probe);
    const after = rects();
    probe.remove();
    const region = [];
    let distance = 0;
    before.forEach((old, i) => {
      const now = after[i];
      const moved = Math.max(Math.abs(now.left - old.left), Math.abs(now.top - old.top));
      if (!moved || !old.width || !old.height) return;
      region.push(old, now);
      distance = Math.max(distance, moved);
    });
    return (unionArea(region) / (view.w * view.h)) * (distance / Math.max(view.w, view.h));
  };
  let low = 0, high = 4000;
  for (let i = 0; i < 24; i++) {
    const middle = (low + high) / 2;
    if (score(middle) < target) low = middle; else high = middle;
  }
  const banner = new Image();
  banner.id = "promo-banner";
  banner.alt = "";
  banner.style.cssText = "display:block;flex:none;align-self:flex-start;max-width:none";
  banner.src = `${__BANNER__}?w=${view.w}&h=${Math.round(high)}`;
  document.body.prepend(banner);
})();
