"""ScriptedProvider: replays chunks, delays and faults, one reply per request, from any thread."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.errors import IncompleteAnswerError, ProviderTimeoutError, RateLimitError
from assistant.providers.base import CompletionRequest, Final, Provider, TextDelta, Usage, collect
from assistant.providers.scripted import ScriptedProvider, ScriptedReply, split_text
from assistant.providers.tokens import count_tokens

REQUEST = CompletionRequest(model="scripted", prompt="Draft the severity matrix.", system="Be brief.")


def test_is_a_provider_and_not_collected_by_pytest():
    provider = ScriptedProvider([])
    assert isinstance(provider, Provider) and provider.name == "scripted"
    assert ScriptedProvider.__test__ is False


def test_replies_are_consumed_one_per_request_in_order():
    provider = ScriptedProvider([ScriptedReply(["first ", "answer"]), "second answer"])

    assert collect(provider, REQUEST).text == "first answer"
    assert collect(provider, REQUEST).text == "second answer"
    assert provider.remaining == 0


def test_every_request_is_recorded():
    provider = ScriptedProvider(["a", "b"])
    other = REQUEST.model_copy(update={"prompt": "Draft the contact list."})

    collect(provider, REQUEST)
    collect(provider, other)

    assert provider.requests == [REQUEST, other]


def test_running_out_of_replies_says_so():
    provider = ScriptedProvider(["only one"])
    collect(provider, REQUEST)

    with pytest.raises(LookupError, match="request #2"):
        provider.stream(REQUEST)


def test_default_reply_answers_when_the_queue_is_empty():
    provider = ScriptedProvider([], default="fallback")

    assert [collect(provider, REQUEST).text for _ in range(3)] == ["fallback"] * 3


def test_enqueue_adds_replies():
    provider = ScriptedProvider()
    provider.enqueue("later")

    assert collect(provider, REQUEST).text == "later"


def test_callable_answers_per_prompt():
    provider = ScriptedProvider(lambda request: f"echo: {request.prompt}")

    assert collect(provider, REQUEST).text == f"echo: {REQUEST.prompt}"
    assert provider.requests == [REQUEST]


def test_final_carries_given_usage_and_finish():
    usage = Usage(input_tokens=120, output_tokens=40)
    provider = ScriptedProvider([ScriptedReply(["done"], usage=usage, model="gpt-x")])

    final = collect(provider, REQUEST).final

    assert final.usage == usage and final.finish_reason == "stop" and final.model == "gpt-x"


def test_usage_is_estimated_when_not_scripted():
    provider = ScriptedProvider(["a reasonably long scripted answer"])

    usage = collect(provider, REQUEST).final.usage

    assert usage.estimated
    assert usage.output_tokens == count_tokens("a reasonably long scripted answer", REQUEST.model)
    assert usage.input_tokens == count_tokens(REQUEST.system + REQUEST.prompt, REQUEST.model)


def test_split_text_and_from_text_cut_into_fixed_size_chunks():
    assert split_text("abcdefg", 3) == ["abc", "def", "g"]
    reply = ScriptedReply.from_text("abcdefg", 2, delay=0.5)
    assert reply.chunks == ["ab", "cd", "ef", "g"] and reply.delay == 0.5 and reply.text == "abcdefg"
    with pytest.raises(ValueError):
        split_text("abc", 0)


def test_delays_pace_the_stream():
    provider = ScriptedProvider([ScriptedReply(["a", "b", "c"], first_delay=0.1, delay=0.05)])

    started = time.monotonic()
    final = collect(provider, REQUEST).final
    elapsed = time.monotonic() - started

    assert 0.2 <= elapsed < 2.0
    assert 0.1 <= final.first_token_latency < 0.5
    assert final.latency >= 0.2


def test_fault_after_n_chunks_carries_the_text_so_far():
    fault = ProviderTimeoutError("timed out")
    provider = ScriptedProvider([ScriptedReply(["one ", "two ", "three"], fault=fault, fault_after=2)])
    seen: list[str] = []

    with pytest.raises(ProviderTimeoutError) as caught:
        for event in provider.stream(REQUEST):
            seen.append(event.text)

    assert seen == ["one ", "two "]
    assert caught.value.partial_text == "one two "
    assert fault.partial_text == ""  # the scripted fault itself is untouched, so it can be reused


def test_fault_keeps_its_own_fields():
    provider = ScriptedProvider([ScriptedReply(["x"], fault=RateLimitError("slow down", retry_after=3.0))])

    with pytest.raises(RateLimitError) as caught:
        list(provider.stream(REQUEST))

    assert caught.value.retry_after == 3.0 and caught.value.partial_text == ""


def test_no_finish_surfaces_as_incomplete_answer_with_partial_text():
    provider = ScriptedProvider([ScriptedReply(["cut ", "short"], finish_reason=None)])
    events: list[TextDelta | Final] = []

    with pytest.raises(IncompleteAnswerError) as caught:
        for event in provider.stream(REQUEST):
            events.append(event)

    assert not any(isinstance(e, Final) for e in events)
    assert caught.value.partial_text == "cut short"


def test_length_finish_keeps_the_text():
    provider = ScriptedProvider([ScriptedReply(["truncated"], finish_reason="length")])

    completion = collect(provider, REQUEST)

    assert completion.final.finish_reason == "length" and completion.text == "truncated"


def test_empty_answer_is_incomplete_like_a_real_adapter():
    with pytest.raises(IncompleteAnswerError, match="empty"):
        collect(ScriptedProvider([ScriptedReply([])]), REQUEST)


def test_thread_safe_each_reply_goes_to_exactly_one_request():
    count = 200
    provider = ScriptedProvider([f"answer {i}" for i in range(count)])
    barrier = threading.Barrier(8)

    def call(i: int) -> tuple[str, str]:
        if i < 8:
            barrier.wait()
        request = REQUEST.model_copy(update={"prompt": f"prompt {i}"})
        return request.prompt, collect(provider, request).text

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = dict(pool.map(call, range(count)))

    assert sorted(answers.values()) == sorted(f"answer {i}" for i in range(count))
    assert len(provider.requests) == count and provider.remaining == 0
    # the n-th recorded request got the n-th reply: recording and taking a reply happen together
    assert [answers[r.prompt] for r in provider.requests] == [f"answer {i}" for i in range(count)]


def test_check_returns_a_fixed_summary():
    assert "Scripted" in ScriptedProvider([]).check("scripted")
