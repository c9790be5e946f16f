"""Baselines (SPEC §18): what a page should look like and say, kept as files of the project.

`store` (where they are, how they are named, how `smoke baseline update` records them), `aria`
(`expect_aria`), `screenshot` (`expect_screenshot`) and `imagediff` (pixelmatch, at C speed).
"""
