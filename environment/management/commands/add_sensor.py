"""`manage.py add_sensor SENSOR_ID --lat .. --lon .. --kind SDS011`: register a sensor for scripts.

`manage.py add_sensor --device esp8266-3654427 --sensor SDS011 --sensor BME280 --lat .. --lon ..`
registers an airrohr board once, with a sensor per model it carries (ids esp8266-3654427-sds011…)
and one credential for the board: it pushes all its values in one body without X-PIN (the
firmware's "Send to own API"). Run again with another --sensor to add one to the board.

Prints the push credential once (only its hash is stored).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from environment import services
from environment.catalog import SENSOR_KINDS
from environment.models import Network


class Command(BaseCommand):
    help = "Register an air-quality sensor (and its station) and print its push credential."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sensor_id", nargs="?", default="",
                            help="The id the sensor pushes with (X-Sensor header / MQTT topic); not with --sensor.")
        parser.add_argument("--lat", type=float, required=True, help="Latitude (WGS84).")
        parser.add_argument("--lon", type=float, required=True, help="Longitude (WGS84).")
        parser.add_argument("--kind", default="",
                            help=f"Sensor model: {', '.join(SENSOR_KINDS)} (or any name with --quantities).")
        parser.add_argument("--sensor", action="append", default=[], metavar="MODEL",
                            help="With --device: a sensor model the board carries (repeat for each), e.g. "
                                 "--sensor SDS011 --sensor BME280.")
        parser.add_argument("--quantities", default="",
                            help="Comma-separated quantities it measures (default: the model's), e.g. pm10,pm2_5.")
        parser.add_argument("--network", choices=Network.values, default=Network.PRIVATE)
        parser.add_argument("--operator", default="", help="Organisation running it (public network).")
        parser.add_argument("--station", default=None, help="Slug of an existing station to attach it to.")
        parser.add_argument("--name", default="", help="Name of the new station.")
        parser.add_argument("--device", default="", help="X-Sensor of a multi-sensor board, e.g. esp8266-3654427.")
        parser.add_argument("--pin", default=None, help="X-PIN (default: the model's, e.g. 1 for SDS011).")
        parser.add_argument("--no-credential", action="store_true",
                            help="Accept pushes without a credential (identified by X-Sensor only, like "
                                 "sensor.community). Not recommended.")
        parser.add_argument("--demo", action="store_true", help="Mark the station as demo data.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["sensor"]:
            self._board(options)
            return
        if not options["sensor_id"] or not options["kind"]:
            raise CommandError("give SENSOR_ID and --kind, or --device and one --sensor per model on the board")
        quantities = [q.strip() for q in options["quantities"].split(",") if q.strip()] or None
        try:
            registered = services.register_sensor(
                "command:add_sensor", options["sensor_id"], latitude=options["lat"], longitude=options["lon"],
                kind=options["kind"], quantities=quantities, network=options["network"], operator=options["operator"],
                station_slug=options["station"], station_name=options["name"], device_id=options["device"],
                pin=options["pin"], with_key=not options["no_credential"], is_demo=options["demo"])
        except ValidationError as error:
            messages = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items())
            raise CommandError(messages) from None
        sensor = registered.sensor
        self.stdout.write(self.style.SUCCESS(
            f"Registered {sensor.sensor_id} ({sensor.kind}: {', '.join(sensor.quantities)}) at station "
            f"{sensor.station.slug}; X-PIN {sensor.pin or '-'}."))
        if registered.key:
            self.stdout.write(f"Credential (shown once): {registered.key}")

    def _board(self, options: dict[str, Any]) -> None:
        if options["sensor_id"] or options["kind"] or options["pin"] or options["quantities"]:
            raise CommandError("--sensor registers a board: give --device, not SENSOR_ID, --kind, --pin or "
                               "--quantities")
        try:
            board = services.register_board(
                "command:add_sensor", options["device"], options["sensor"], latitude=options["lat"],
                longitude=options["lon"], station_slug=options["station"], station_name=options["name"],
                network=options["network"], operator=options["operator"], with_key=not options["no_credential"],
                is_demo=options["demo"])
        except ValidationError as error:
            messages = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items())
            raise CommandError(messages) from None
        names = ", ".join(f"{sensor.sensor_id} ({sensor.kind})" for sensor in board.sensors)
        self.stdout.write(self.style.SUCCESS(
            f"Board {options['device']} at station {board.sensors[0].station.slug}: {names}. It sends all its "
            "values in one body without X-PIN (\"Send to own API\")."))
        if board.key:
            self.stdout.write(f"Credential (shown once; the board's \"Send to own API\" password): {board.key}")
        elif board.sensors[0].key_hash:
            self.stdout.write("Credential: the board's existing one.")
