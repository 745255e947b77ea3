"""paho-mqtt's client, tuned for one high-rate QoS-1 subscriber.

paho spends about 50 µs of CPU on each message it receives and acknowledges — more than
everything else ingest does with a ten-reading message. Three things cost most, and this
subclass changes only those (measured with bench/ingest.py; see docs/environment.md):

1. Reads. paho reads each packet with three or four `recv` calls (the command byte, the
   length bytes one at a time, the rest) and goes back to `select` after every packet. Here
   `_sock_recv` serves those small reads from a buffer filled by one large `recv`;
   `loop_read` cuts every complete plain PUBLISH straight out of that buffer and keeps
   reading until nothing is left (flushing queued acknowledgements every few hundred packets,
   so a long backlog does not hold them back).
2. Decoding. For MQTT v5 paho builds a `Properties` object for every PUBLISH even when it
   has none, which is slow. A QoS 0/1 PUBLISH without properties is decoded here and handed
   straight to `on_plain_publish(mid, qos, topic, payload)`; anything else (properties, QoS 2,
   no such handler, other packet types, a packet too short) goes through paho's own code and
   `on_message`, in the order received.
3. Acknowledgements. `ack()` queues one PUBACK at a time and wakes the network thread for
   each. `ack_many()` queues a whole batch as one write.

These override or use paho internals (`_sock_recv`, `loop_read`, `_handle_publish`, `_packet_queue`,
`_in_packet`, `_last_bytes_received`),
so requirements.txt pins paho-mqtt below the next minor version; the real-broker tests in
tests/environment/test_mqtt*.py (restarts, redelivery, outages) run through this class.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode, MQTTProtocolVersion

READ_CHUNK = 256 * 1024
FLUSH_EVERY_PACKETS = 256
_PUBACK = 0x40
_PUBACK_PACKET = struct.Struct("!BBH")

PlainPublishHandler = Callable[[int, int, str, bytes], None]


class IngestClient(mqtt.Client):
    """A paho Client with buffered reads, a fast PUBLISH path and batched PUBACKs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_plain_publish: PlainPublishHandler | None = None
        self._read_socket: object = None
        self._read_buffer = b""
        self._read_position = 0
        # When the bytes being decoded arrived: set at every read from the socket, so the
        # hundreds of messages of one read share one clock reading (a handler's receive time).
        self.read_at = datetime.now(UTC)

    # --- 1. reads ---------------------------------------------------------------------------

    def _sock_recv(self, bufsize: int) -> bytes:
        socket = self._sock
        if socket is not self._read_socket:  # a new connection: nothing buffered belongs to it
            self._read_socket = socket
            self._read_buffer = b""
            self._read_position = 0
        buffer, position = self._read_buffer, self._read_position
        if position >= len(buffer):
            buffer = super()._sock_recv(READ_CHUNK)  # BlockingIOError when nothing is waiting
            if not buffer:
                return buffer  # closed by the broker
            self.read_at = datetime.now(UTC)
            position = 0
            self._read_buffer = buffer
        end = position + bufsize
        self._read_position = min(end, len(buffer))
        return buffer[position:end]

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        # Read until the buffer and the socket are both empty: `select` cannot see our buffer,
        # so returning with bytes in it could leave messages waiting for the next packet.
        packets = 0
        while True:
            if self._sock is None:
                return MQTTErrorCode.MQTT_ERR_NO_CONN
            packets += self._plain_publishes_from_buffer()
            rc = self._packet_read()  # the next packet of any other kind, or more bytes
            if rc > 0:
                return self._loop_rc_handle(rc)
            if rc == MQTTErrorCode.MQTT_ERR_AGAIN:
                return MQTTErrorCode.MQTT_ERR_SUCCESS
            packets += 1
            if packets >= FLUSH_EVERY_PACKETS and self._out_packet:
                self.loop_write()
                packets = 0

    def _plain_publishes_from_buffer(self) -> int:
        """Hand every complete plain PUBLISH at the head of the buffer to `on_plain_publish`.

        paho's `_packet_read` takes one packet per call through three or four small reads; a
        buffer usually holds dozens of messages, each cut out here with two slices. Stops at
        anything else (another packet type, QoS 2, properties, a packet not fully received),
        which paho's own path then handles, so the order of packets is kept.
        """
        handler = self.on_plain_publish
        if handler is None or self._in_packet["command"] != 0 or self._sock is not self._read_socket:
            return 0
        buffer, position = self._read_buffer, self._read_position
        size = len(buffer)
        v5 = self._protocol == MQTTProtocolVersion.MQTTv5
        delivered = 0
        while position + 2 <= size:
            command = buffer[position]
            if command & 0xF0 != 0x30 or command & 0x06 == 0x04:  # not a PUBLISH, or QoS 2
                break
            # Remaining length: 1 to 4 bytes, 7 bits each.
            length = 0
            shift = 0
            index = position + 1
            while index < size and shift < 28:
                byte = buffer[index]
                index += 1
                length |= (byte & 0x7F) << shift
                shift += 7
                if not byte & 0x80:
                    break
            else:
                break  # length not complete in the buffer (or malformed: paho reports it)
            end = index + length
            if end > size or length < 2:
                break
            topic_end = index + 2 + int.from_bytes(buffer[index:index + 2], "big")
            cursor = topic_end
            mid = 0
            qos = (command & 0x06) >> 1
            if qos:
                mid = int.from_bytes(buffer[cursor:cursor + 2], "big")
                cursor += 2
            if v5:
                if cursor >= end or buffer[cursor] != 0:
                    break  # has properties: paho decodes this one
                cursor += 1
            if cursor > end or topic_end == index + 2:
                break
            handler(mid, qos, buffer[index + 2:topic_end].decode("utf-8", errors="replace"), buffer[cursor:end])
            position = end
            delivered += 1
        if delivered:
            self._read_position = position
            with self._msgtime_mutex:
                self._last_bytes_received = mqtt.time_func()  # (keepalive bookkeeping, as paho does)
        return delivered

    # --- 2. decoding ------------------------------------------------------------------------

    def _handle_publish(self) -> MQTTErrorCode:
        handler = self.on_plain_publish
        header = self._in_packet["command"]
        qos = (header & 0x06) >> 1
        packet = self._in_packet["packet"]
        if handler is None or qos == 2 or len(packet) < 2:
            return super()._handle_publish()
        topic_end = 2 + int.from_bytes(packet[0:2], "big")
        position = topic_end
        mid = 0
        if qos:
            mid = int.from_bytes(packet[position:position + 2], "big")
            position += 2
        if self._protocol == MQTTProtocolVersion.MQTTv5:
            # A zero property length is one 0 byte; with properties, paho decodes them.
            if len(packet) <= position or packet[position] != 0:
                return super()._handle_publish()
            position += 1
        if len(packet) < position or topic_end == 2:
            return super()._handle_publish()  # malformed or empty topic: paho reports it
        topic = bytes(packet[2:topic_end]).decode("utf-8", errors="replace")
        handler(mid, qos, topic, bytes(packet[position:]))
        return MQTTErrorCode.MQTT_ERR_SUCCESS

    # --- 3. acknowledgements ----------------------------------------------------------------

    def ack_many(self, mids: Iterable[int]) -> None:
        """Queue PUBACKs for these QoS-1 message ids as one write (manual-ack mode)."""
        packet = b"".join(_PUBACK_PACKET.pack(_PUBACK, 2, mid) for mid in mids)
        if packet:
            self._packet_queue(_PUBACK, packet, 0, 1)
