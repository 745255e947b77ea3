"""The tuned paho client, byte for byte: what it cuts from its buffer and what it leaves to paho.

A socket pair stands in for the broker's connection, so packet boundaries can be placed
exactly (the real-broker tests in test_mqtt.py cover the same paths end to end).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from environment.ingest.mqtt_client import IngestClient


def varint(number: int) -> bytes:
    out = bytearray()
    while True:
        number, digit = divmod(number, 128)
        out.append(digit | (0x80 if number else 0))
        if not number:
            return bytes(out)


def publish(topic: str, payload: bytes, mid: int, *, qos: int = 1, properties: bytes = b"\x00") -> bytes:
    body = len(topic).to_bytes(2, "big") + topic.encode() + (mid.to_bytes(2, "big") if qos else b"")
    body += properties + payload
    return bytes([0x30 | (qos << 1)]) + varint(len(body)) + body


PINGRESP = b"\xd0\x00"


@pytest.fixture
def wired() -> Iterator[tuple[IngestClient, socket.socket, list[tuple[str, int, str, bytes]]]]:
    ours, broker = socket.socketpair()
    ours.setblocking(False)
    client = IngestClient(CallbackAPIVersion.VERSION2, client_id="unit", protocol=mqtt.MQTTv5)
    client.manual_ack_set(True)
    received: list[tuple[str, int, str, bytes]] = []
    client.on_plain_publish = lambda mid, qos, topic, payload: received.append(("plain", mid, topic, payload))
    client.on_message = lambda c, u, m: received.append(("paho", m.mid, m.topic, bytes(m.payload)))
    client._sock = ours
    yield client, broker, received
    client._sock = None
    ours.close()
    broker.close()


def test_plain_publishes_are_cut_from_the_buffer_in_order_with_the_rest_left_to_paho(wired: tuple) -> None:
    client, broker, received = wired
    content_type = b"\x03" + (10).to_bytes(2, "big") + b"text/plain"  # property 3, a UTF-8 string
    with_properties = publish("smartcity/sensors/b", b"{2}", 2, properties=varint(len(content_type)) + content_type)
    broker.sendall(publish("smartcity/sensors/a", b"{1}", 1) + PINGRESP + with_properties
                   + publish("smartcity/sensors/c", b"{3}", 3) + publish("smartcity/sensors/d", b"{4}", 0, qos=0))
    assert client.loop_read() == mqtt.MQTT_ERR_SUCCESS
    assert [(kind, mid, payload) for kind, mid, _topic, payload in received] == [
        ("plain", 1, b"{1}"), ("paho", 2, b"{2}"), ("plain", 3, b"{3}"), ("plain", 0, b"{4}")]
    assert received[0][2] == "smartcity/sensors/a"


def test_a_packet_split_across_reads_is_delivered_once_whole(wired: tuple) -> None:
    client, broker, received = wired
    stream = b"".join(publish(f"smartcity/sensors/s{i}", b'{"readings":[]}' * (i % 7 + 1), i + 1)
                      for i in range(300))
    position = 0
    for cut in (1, 2, 3, 200, 4001, len(stream)):  # inside a header, a length, a payload...
        broker.sendall(stream[position:cut])
        position = cut
        client.loop_read()
    assert [mid for _kind, mid, _topic, _payload in received] == list(range(1, 301))
    assert all(payload == b'{"readings":[]}' * ((mid - 1) % 7 + 1) for _k, mid, _t, payload in received)


def test_a_malformed_topic_is_replaced_not_fatal(wired: tuple) -> None:
    client, broker, received = wired
    body = (3).to_bytes(2, "big") + b"\xff\xfe\xfd" + (9).to_bytes(2, "big") + b"\x00" + b"{}"
    broker.sendall(b"\x32" + varint(len(body)) + body)
    client.loop_read()
    assert received and received[0][1] == 9 and "\ufffd" in received[0][2]


def test_ack_many_sends_one_puback_per_message_id(wired: tuple) -> None:
    client, broker, _received = wired
    client.ack_many([1, 2, 65535])
    client.loop_write()
    data = broker.recv(100)
    assert data == b"\x40\x02\x00\x01" + b"\x40\x02\x00\x02" + b"\x40\x02\xff\xff"


def test_the_worker_refuses_settings_mqtt_cannot_carry() -> None:
    from environment.ingest.mqtt import IngestWorker, WorkerConfig

    with pytest.raises(ValueError, match="receive_maximum"):
        IngestWorker(WorkerConfig(url="mqtt://127.0.0.1:1", receive_maximum=80_000))
    with pytest.raises(ValueError, match="batch_messages"):
        IngestWorker(WorkerConfig(url="mqtt://127.0.0.1:1", batch_messages=50_000, receive_maximum=40_000))


@pytest.mark.parametrize("batch", ["0", "70000"])
def test_the_command_names_a_bad_batch_size(batch: str) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--batch"):
        call_command("ingest_mqtt", "--batch", batch)
