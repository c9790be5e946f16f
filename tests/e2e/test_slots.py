"""Browser slots: a fixed number is a hard cap; `auto` widens only while the CPUs are idle."""

from __future__ import annotations

import asyncio

from prodsmoke.e2e.slots import CEILING, FLOOR, CpuMeter, Slots, _proc_stat

WINDOW_S = 0.02


class Ticks:
    """A machine's CPU counters, as /proc/stat gives them: (all, idle), advancing per reading
    by 100 ticks of which `busy` share were not idle."""

    def __init__(self, busy: float) -> None:
        self.busy = busy
        self.total = self.idle = 0

    def __call__(self) -> tuple[int, int]:
        self.total += 100
        self.idle += round(100 * (1 - self.busy))
        return self.total, self.idle


async def most_in_flight(slots: Slots, journeys: int, hold_s: float) -> int:
    """Run `journeys` that each hold a slot for `hold_s`; the most that held one at once."""
    now = most = 0

    async def journey() -> None:
        nonlocal now, most
        async with slots:
            now += 1
            most = max(most, now)
            await asyncio.sleep(hold_s)
            now -= 1

    await asyncio.gather(*(journey() for _ in range(journeys)))
    return most


async def test_a_number_is_a_hard_cap_whatever_the_cpus_do() -> None:
    slots = Slots(2, meter=CpuMeter(Ticks(busy=0.0), window_s=WINDOW_S), window_s=WINDOW_S)
    assert await most_in_flight(slots, journeys=12, hold_s=0.05) == 2
    assert slots.limit == 2


async def test_auto_widens_one_slot_a_window_up_to_the_ceiling_while_the_cpus_idle() -> None:
    slots = Slots(None, meter=CpuMeter(Ticks(busy=0.2), window_s=WINDOW_S), window_s=WINDOW_S)
    assert slots.limit == FLOOR
    assert await most_in_flight(slots, journeys=30, hold_s=0.3) == CEILING
    assert slots.limit == CEILING


async def test_auto_stays_at_the_floor_while_the_cpus_are_busy() -> None:
    slots = Slots(None, meter=CpuMeter(Ticks(busy=0.95), window_s=WINDOW_S), window_s=WINDOW_S)
    assert await most_in_flight(slots, journeys=12, hold_s=0.05) == FLOOR
    assert slots.limit == FLOOR


async def test_auto_closes_slots_again_once_the_cpus_are_busy_but_never_below_the_floor() -> None:
    ticks = Ticks(busy=0.1)
    slots = Slots(None, meter=CpuMeter(ticks, window_s=WINDOW_S), window_s=WINDOW_S)
    await most_in_flight(slots, journeys=20, hold_s=0.2)
    widened = slots.limit
    assert widened > FLOOR
    ticks.busy = 1.0
    await most_in_flight(slots, journeys=40, hold_s=0.03)
    assert slots.limit == FLOOR < widened


async def test_auto_stays_at_the_floor_where_the_machine_does_not_say_how_busy_it_is() -> None:
    slots = Slots(None, meter=CpuMeter(lambda: None, window_s=WINDOW_S), window_s=WINDOW_S)
    assert await most_in_flight(slots, journeys=12, hold_s=0.05) == FLOOR


def test_this_machines_cpu_counters_are_read() -> None:
    reading = _proc_stat()
    assert reading is not None
    total, idle = reading
    assert total > idle > 0


async def test_auto_does_not_widen_while_the_run_holds_its_journeys_then_does() -> None:
    held = True
    slots = Slots(
        None,
        meter=CpuMeter(Ticks(busy=0.1), window_s=WINDOW_S),
        window_s=WINDOW_S,
        hold=lambda: held,
    )
    assert await most_in_flight(slots, journeys=12, hold_s=0.05) == FLOOR
    held = False
    assert await most_in_flight(slots, journeys=20, hold_s=0.2) > FLOOR
