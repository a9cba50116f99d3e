"""Chamber drivers against their simulators over loopback, and the simulators and parsers against the
bytes printed in the makers' documents (each example quotes its source)."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

import pytest

from meetstream.adapters.chamber import visca as v
from meetstream.adapters.chamber.dicentis import DicentisClient, diff, seat_states
from meetstream.adapters.chamber.errors import ChamberError, ViscaError
from meetstream.adapters.chamber.shure import ShureDisClient, parse_line
from meetstream.adapters.chamber.televic import CoConClient, TelevicCameraListener, parse_camera_datagram
from meetstream.adapters.chamber.visca import ViscaCamera
from meetstream.core.chamber import MicState
from meetstream.sandbox.chamber.dicentis import DicentisSimulator
from meetstream.sandbox.chamber.shure import ShureCcuSimulator
from meetstream.sandbox.chamber.televic import CoConSimulator, TelevicCameraSender
from meetstream.sandbox.chamber.visca import ViscaCameraSimulator

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def collect(source, want: int, timeout: float = 3.0):
    got, end = [], time.monotonic() + timeout
    while len(got) < want and time.monotonic() < end:
        got += source.read(0.2)
    return [(e.mic_id, e.state) for e in got]


# --- VISCA over IP ---------------------------------------------------------------------------------


def test_visca_bytes_are_the_documents():
    # [VISCA] CAM_Memory Recall 8x 01 04 3F 02 pp FF; [SONY] header: type 01 00, length, sequence (big-endian)
    assert v.preset_recall(5) == bytes.fromhex("8101043f0205ff")
    assert v.packet(v.VISCA_COMMAND, v.preset_recall(5), 1) == bytes.fromhex("0100000700000001") + bytes.fromhex("8101043f0205ff")
    assert v.packet(v.CONTROL_COMMAND, v.CONTROL_RESET, 0) == bytes.fromhex("020000010000000001")  # RESET
    assert v.reply_kind(bytes.fromhex("9041ff")) == "ack" and v.reply_kind(bytes.fromhex("9051ff")) == "completion"
    assert v.reply_kind(bytes.fromhex("906002ff")) == "error"
    with pytest.raises(ValueError):
        v.preset_recall(256)


def test_visca_recall_is_acknowledged_at_once_and_completed_when_the_camera_arrives():
    with ViscaCameraSimulator(travel=0.6) as cam, ViscaCamera("127.0.0.1", cam.port) as client:
        r = client.recall(7)
        assert r.acked_after < 0.3 and 0.55 <= r.completed_after < 1.5
        assert cam.preset == 7
        assert [(p, s) for p, s, _ in cam.received] == [(v.VISCA_COMMAND, 1)]
        r2 = client.recall(8, wait=False)  # the service does not block: ACK now, completion later
        assert r2.completed_after is None and r2.sequence == 2 and cam.moving_to == 8
        assert client.wait_completion(3.0) >= 0.55
        client.reset_sequence()
        assert cam.received[-1][:2] == (v.CONTROL_COMMAND, 0)


def test_visca_sequence_zero_setting_for_cameras_that_ignore_other_numbers():
    with ViscaCameraSimulator(travel=0.1, only_sequence_zero=True) as cam:
        with ViscaCamera("127.0.0.1", cam.port, ack_timeout=0.2, retries=1) as plain:
            with pytest.raises(ViscaError, match="did not acknowledge"):
                plain.recall(3)
            assert [s for _, s, _ in cam.received] == [1, 1]  # the resend kept its sequence number [SONY]
        with ViscaCamera("127.0.0.1", cam.port, sequence_zero=True) as zero:
            assert zero.recall(3).completed_after is not None
            assert cam.preset == 3


def test_visca_error_reply_is_one_clear_error():
    with ViscaCameraSimulator() as cam, ViscaCamera("127.0.0.1", cam.port, address=2) as client:
        with pytest.raises(ViscaError, match="syntax error"):  # the camera is address 1
            client.recall(1)


# --- Shure DIS / DDS -----------------------------------------------------------------------------


def test_shure_lines_from_the_manual():
    # [DDS] "mic_on 212<CR>" ... lines out end CR LF; [DCS] "seat_state 12 active John Jones"
    assert parse_line("mic_on 212", NOW).state == MicState.ON
    assert parse_line("MIC_OFF 212", NOW).mic_id == "212"  # not case sensitive
    assert parse_line("mic_request_on 7", NOW).state == MicState.REQUEST
    assert parse_line("mic_request_off 7", NOW).state == MicState.REQUEST_CANCEL
    assert parse_line("seat_state 12 active John Jones", NOW) == ("seat", "12", "John Jones")
    assert parse_line("mic_on 70000", NOW) is None and parse_line("max_total_speakers 4", NOW) is None


def test_shure_driver_against_the_ccu_simulator():
    with ShureCcuSimulator(seats={1: "Chair", 7: "Cllr Khan"}, max_speakers=2) as ccu:
        ccu.speaking.append(1)  # the chair is on before we connect: mic_status reports it
        client = ShureDisClient("127.0.0.1", ccu.port)
        try:
            assert collect(client, 1) == [("1", MicState.ON)]
            assert client.seat_names == {"1": "Chair", "7": "Cllr Khan"}
            assert ccu.received == ["mic_status"]
            ccu.request(7)
            ccu.press(7)  # granted from the request list: mic_on then mic_request_off [DDS p. 73]
            ccu.press(9)  # the speak list is full: no action, no reply
            ccu.release(1)
            assert collect(client, 4) == [("7", MicState.REQUEST), ("7", MicState.ON),
                                          ("7", MicState.REQUEST_CANCEL), ("1", MicState.OFF)]
            client.send("mic_off 7")
            assert collect(client, 1) == [("7", MicState.OFF)]
        finally:
            client.close()


def test_shure_unreachable_is_one_line():
    port = socket.create_server(("127.0.0.1", 0))
    free = port.getsockname()[1]
    port.close()
    with pytest.raises(ChamberError, match="cannot reach the Shure central unit"):
        ShureDisClient("127.0.0.1", free, connect_timeout=1)


# --- Televic camera UDP ---------------------------------------------------------------------------


def test_televic_datagrams_from_the_manuals():
    # [G3] 'e.g. of data send when microphone 7 is in request : {"UID": 7,"status": 2}' (typographic quotes as printed)
    assert parse_camera_datagram("{\u201cUID\u201d: 7,\u201cstatus\u201d: 2}".encode()) == ("7", MicState.REQUEST)
    assert parse_camera_datagram(b'{"uid": 3, "status": 3}') == ("3", MicState.PRIORITY_ON)  # [COMP] lower-case key
    # [DC] '{"serial": "101008D2","status": 2,"totalMicOn": 1,"totalMicReq",0}' -- the manual's own bytes
    assert parse_camera_datagram(b'{"serial": "101008D2","status": 2,"totalMicOn": 1,"totalMicReq",0}') == ("101008D2", MicState.REQUEST)
    assert parse_camera_datagram(b'{"serial": "11000001","status": 8,"totalMicOn": 1,"totalMicReq",0}') == ("11000001", MicState.PRIORITY_ON)
    assert parse_camera_datagram(b'{"serial": "00000000","status": 0,"totalMicOn": 0,"totalMicReq",0}') == ("00000000", None)
    assert parse_camera_datagram(b"garbage") is None and parse_camera_datagram(b'{"UID": 1, "status": 9}') is None


def test_televic_listener_against_the_senders():
    listener = TelevicCameraListener("127.0.0.1", 0)
    sender = TelevicCameraSender(listener.port)
    try:
        sender.confidea(7, 2)  # request
        sender.confidea(7, 0)  # withdrawn: 0 after a request is a cancel
        sender.confidea(3, 1)
        sender.confidea(3, 0)
        sender.dcerno("101008D2", 1, 1, 0)
        sender.dcerno("11000001", 8, 2, 0)
        sender.dcerno("00000000", 0, 0, 0)  # conference mode change: everything off
        got = collect(listener, 8)
        assert got == [("7", MicState.REQUEST), ("7", MicState.REQUEST_CANCEL), ("3", MicState.ON), ("3", MicState.OFF),
                       ("101008D2", MicState.ON), ("11000001", MicState.PRIORITY_ON),
                       ("101008D2", MicState.OFF), ("11000001", MicState.OFF)]
    finally:
        sender.close()
        listener.close()


def test_televic_port_rule():
    with pytest.raises(ChamberError, match="above 3000"):
        TelevicCameraListener("127.0.0.1", 2000)


# --- Televic CoCon --------------------------------------------------------------------------------


def test_cocon_driver_against_the_simulator():
    with CoConSimulator(poll_timeout=0.5) as sim:
        client = CoConClient(f"http://127.0.0.1:{sim.port}")
        try:
            assert any(p.startswith("/CoCon/Subscribe/?Model=Microphone") for p in sim.requests_seen)
            assert client.read(2.0) == []  # 408 after the server's poll timeout: nothing, poll again
            sim.set_state(6, "On")  # [COCON] {"MicrophoneState":{"Speakers":[6],"Requests":[],"Replies":[]}}
            sim.set_state(7, "Request")
            sim.other_model({"MicrophoneMode": {"Mode": "Operator", "MaxNrActive": 4}})
            sim.set_state(7, "On")
            sim.set_state(6, "Off")
            got = collect(client, 4)  # a granted request is simply ON (the director takes it out of the queue)
            assert got == [("6", MicState.ON), ("7", MicState.REQUEST), ("7", MicState.ON), ("6", MicState.OFF)]
            sim.clients.clear()  # the server forgot us (expired id): 400, and the client connects again
            assert client.read(2.0) == []
            assert client.connection_id in sim.clients
        finally:
            client.close()


def test_cocon_bodies_are_json_in_a_json_string():
    # [COCON] §3.4.2: the reply to Connect is "{\"Connect\":true,\"id\":\"3f5b8afe-…\"}" (quoted)
    from meetstream.adapters.chamber.televic import _double_json

    doc = _double_json('"{\\"Connect\\":true,\\"id\\":\\"3f5b8afe-6efb-4428-8762-e39d42a0762d\\"}"')
    assert doc == {"Connect": True, "id": "3f5b8afe-6efb-4428-8762-e39d42a0762d"}


# --- Bosch DICENTIS -------------------------------------------------------------------------------


def test_dicentis_discussion_list_diff():
    # entry shapes as [COMP][EXT][WEB]: seatId, speakerType, microphoneState, screenLine
    before = seat_states([{"seatId": "s1", "speakerType": "isSpeaker", "microphoneState": "on"},
                          {"seatId": "s2", "speakerType": "isRequest", "microphoneState": "off"}])
    after = seat_states([{"seatId": "s1", "speakerType": "isSpeaker", "microphoneState": "mute"},
                         {"seatId": "s3", "speakerType": "isPrioritySpeaker", "microphoneState": "on"}])
    assert [(e.mic_id, e.state) for e in diff(before, after, NOW)] == [
        ("s1", MicState.OFF), ("s2", MicState.REQUEST_CANCEL), ("s3", MicState.PRIORITY_ON)]


def test_dicentis_driver_against_the_simulator():
    with DicentisSimulator(seats={"s1": "Cllr Chair", "s2": "Cllr Able", "s3": "Cllr Best"}) as sim:
        sim.speak("s1")  # already speaking when we connect: the first list reports it
        with pytest.raises(ChamberError, match="refused the login"):
            DicentisClient(sim.url, "api", "wrong", timeout=2)
        client = DicentisClient(sim.url, "api", "secret", timeout=2)
        try:
            assert client.states == {"s1": MicState.ON} and client.screen_lines["s1"] == "Cllr Chair"
            ops = [m["operation"] for m in sim.received]
            assert ops[-3:] == ["login", "RegisterEvents", "GetDiscussionList"]  # armed first: no change falls in a gap
            sim.request("s2")
            assert collect(client, 1) == [("s2", MicState.REQUEST)]
            sim.speak("s2")
            assert collect(client, 1) == [("s2", MicState.ON)]
            sim.speak("s3", priority=True)
            sim.stop_speaking("s1")
            got = collect(client, 2)
            assert ("s3", MicState.PRIORITY_ON) in got and ("s1", MicState.OFF) in got
            # the event is fire-once: the client registered again after each fetch [EXT]
            assert [m["operation"] for m in sim.received].count("RegisterEvents") >= 3
        finally:
            client.close()


def test_dicentis_simulator_speaks_the_protocol_to_a_raw_client():
    import json

    import websocket

    with DicentisSimulator(seats={"s1": "A"}) as sim:
        ws = websocket.create_connection(sim.url, subprotocols=["DICENTIS_1_0"], timeout=2)
        try:
            ws.send(json.dumps({"messageId": 1, "operation": "GetSeats", "parameters": {}}))
            assert json.loads(ws.recv())["operation"] == "error"  # login first
            ws.send(json.dumps({"messageId": 2, "operation": "login", "parameters": {"user": "api", "password": "secret"}}))
            assert json.loads(ws.recv()) == {"messageId": 2, "operation": "login", "parameters": {"loggedIn": True}}
            ws.send(json.dumps({"messageId": 3, "operation": "RegisterEvents", "parameters": {"events": ["DiscussionListChanged"]}}))
            assert json.loads(ws.recv())["messageId"] == 3
            sim.speak("s1")
            assert json.loads(ws.recv()) == {"messageId": 0, "operation": "event", "parameters": {"events": ["DiscussionListChanged"]}}
        finally:
            ws.close()
        with pytest.raises(websocket.WebSocketException):
            websocket.create_connection(sim.url, subprotocols=["other"], timeout=2)
