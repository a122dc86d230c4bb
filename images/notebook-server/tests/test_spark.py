"""create_spark_session against a fake Orrery API and a fake pyspark: what Spark is given, and the session's end."""

import json
import os
import stat
import sys

import pytest

from fake_api import preview_view, session_view
from orrery import OrreryError
from orrery.spark import POD_TEMPLATE_KEY, SparkSessionInfo, create_spark_session

CREATE = ('POST', '/api/servers/lab/lab/spark/sessions')
DELETE = ('DELETE', '/api/servers/lab/lab/spark/sessions/k3x9q2')
PREVIEW = ('POST', '/api/servers/lab/lab/spark/preview')


def test_builds_the_session_from_exactly_the_conf_orrery_answered(server_env, api, pyspark):
    # Act
    spark = create_spark_session(app_name='report', pool='batch', role='ads-analyst',
                                 conf={'spark.executor.cores': 4, 'spark.dynamicAllocation.enabled': False})
    # Assess
    assert api.calls() == [CREATE]
    assert api.requests[0]['headers']['Authorization'] == 'token server-token'
    assert api.requests[0]['body'] == {
        'appName': 'report', 'pool': 'batch', 'role': 'ads-analyst',
        'conf': {'spark.executor.cores': '4', 'spark.dynamicAllocation.enabled': 'false'},
    }
    assert pyspark.built == [{'appName': 'report', 'options': session_view()['conf']}]
    assert spark is pyspark.sessions[0]
    assert spark.orrery.conf == session_view()['conf']


def test_sends_only_the_conf_when_nothing_else_is_named(server_env, api, pyspark):
    # Act
    create_spark_session()
    # Assess
    assert api.requests[0]['body'] == {'conf': {}}


def test_runs_local_python_workers_with_the_kernel_s_own_python(server_env, api, pyspark):
    # Act
    create_spark_session()
    # Assess
    assert os.environ['PYSPARK_PYTHON'] == sys.executable


def test_writes_the_pod_template_to_a_private_file_and_points_spark_at_it(server_env, api, pyspark):
    # Prepare
    template = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': {'labels': {'orrery.dev/session': 'k3x9q2'}}}
    conf = {**session_view()['conf'], 'spark.master': 'k8s://https://kubernetes.default.svc:443'}
    api.create = (201, session_view(conf=conf, podTemplate=template))
    # Act
    spark = create_spark_session()
    # Assess
    path = str(server_env / '.orrery' / 'spark' / 'k3x9q2-executor-pod-template.json')
    assert pyspark.built[0]['options'] == {**conf, POD_TEMPLATE_KEY: path}
    with open(path, encoding='utf-8') as handle:
        assert json.load(handle) == template
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    assert 'PYSPARK_PYTHON' not in os.environ
    spark.stop()
    assert not os.path.exists(path)


def test_stopping_spark_ends_the_session_in_orrery_once(server_env, api, pyspark, exits):
    # Prepare
    spark = create_spark_session()
    # Act
    spark.stop()
    spark.stop()
    exits.run()
    # Assess
    assert api.calls() == [CREATE, DELETE]
    assert spark.stops == 2
    assert exits.handlers == []


def test_the_kernel_s_exit_ends_a_session_nobody_stopped(server_env, api, pyspark, exits):
    # Prepare
    create_spark_session()
    # Act
    exits.run()
    # Assess
    assert api.calls() == [CREATE, DELETE]


def test_a_session_orrery_already_ended_counts_as_ended(server_env, api, pyspark, exits):
    # Prepare
    api.delete = (404, {'error': 'not_found', 'message': 'no such session', 'requestId': 'r1'})
    spark = create_spark_session()
    # Act
    spark.stop()
    spark.stop()
    # Assess
    assert api.calls() == [CREATE, DELETE]
    assert exits.handlers == []


def test_a_failed_delete_is_tried_again_at_the_next_stop(server_env, api, pyspark, exits):
    # Prepare
    api.delete = (503, {'error': 'unavailable', 'message': 'try later', 'requestId': 'r2'})
    spark = create_spark_session()
    # Act
    with pytest.raises(OrreryError, match='try later'):
        spark.stop()
    api.delete = None
    spark.stop()
    # Assess
    assert api.calls() == [CREATE, DELETE, DELETE]
    assert exits.handlers == []


def test_a_second_call_stops_the_kernel_s_earlier_session_first(server_env, api, pyspark, capsys):
    # Prepare
    first = create_spark_session()
    # Act
    second = create_spark_session()
    # Assess
    assert api.calls() == [CREATE, DELETE, CREATE]
    assert (first.stops, second.stops) == (1, 0)
    assert 'stopping this kernel’s earlier Spark session k3x9q2' in capsys.readouterr().out


def test_a_spark_session_the_helper_did_not_make_is_refused_before_asking_orrery(server_env, api, pyspark):
    # Prepare: the user built one with pyspark directly.
    theirs = pyspark.builder.appName('mine').getOrCreate()
    # Act
    with pytest.raises(OrreryError, match=r'stop your existing SparkSession first \(spark\.stop\(\)\)') as raised:
        create_spark_session()
    # Assess
    assert raised.value.code == 'spark-running'
    assert api.calls() == []
    assert theirs.stops == 0
    theirs.stop()
    assert create_spark_session() is pyspark.sessions[1]


def test_a_spark_that_fails_to_start_leaves_no_session_behind(server_env, api, pyspark, monkeypatch):
    # Prepare
    def broken(self):
        raise RuntimeError('Java gateway process exited')

    monkeypatch.setattr(pyspark.Builder, 'getOrCreate', broken)
    # Act
    with pytest.raises(RuntimeError, match='Java gateway'):
        create_spark_session()
    # Assess
    assert api.calls() == [CREATE, DELETE]


def test_without_pyspark_says_so_and_returns_the_previewed_conf_as_a_dry_run(server_env, api, no_pyspark, capsys):
    # Act
    info = create_spark_session(app_name='report', conf={'spark.executor.cores': 4})
    # Assess
    out = capsys.readouterr().out
    assert out.startswith('pyspark is not installed in this kernel')
    assert 'This was a dry run: Orrery previewed the session shown below; nothing started and nothing' in out
    assert 'Spark session report (pool batch): dry run, nothing started' in out
    assert 'note: a preview: the sizing only' in out
    assert isinstance(info, SparkSessionInfo)
    assert info.dry_run is True
    assert info.id == ''
    assert info.conf == preview_view()['conf']
    assert info.links == {}
    assert info.cost == preview_view()['cost']
    assert info.to_dict()['dryRun'] is True
    assert api.calls() == [PREVIEW]
    assert api.requests[0]['headers']['Authorization'] == 'token server-token'
    assert api.requests[0]['body'] == {'appName': 'report', 'conf': {'spark.executor.cores': '4'}}


def test_a_dry_run_asked_for_builds_no_spark_even_with_pyspark(server_env, api, pyspark, capsys):
    # Act
    info = create_spark_session(dry_run=True)
    # Assess
    assert info.dry_run is True
    assert pyspark.built == []
    assert api.calls() == [PREVIEW]
    assert 'not installed' not in capsys.readouterr().out


def test_a_dry_run_leaves_nothing_to_end_at_exit(server_env, api, no_pyspark, exits):
    # Act
    create_spark_session(dry_run=True)
    exits.run()
    # Assess
    assert exits.handlers == []
    assert api.calls() == [PREVIEW]


def test_a_refused_preview_raises_its_message(server_env, api, no_pyspark):
    # Prepare
    api.preview = (400, {'error': 'validation', 'message': "unknown Spark pool 'gpu'; valid: batch, spot",
                         'requestId': 'req-8'})
    # Act
    with pytest.raises(OrreryError, match="unknown Spark pool 'gpu'") as raised:
        create_spark_session(pool='gpu')
    # Assess
    assert raised.value.status == 400
    assert api.calls() == [PREVIEW]


def test_asking_for_a_real_session_without_pyspark_fails_before_calling_orrery(server_env, api, no_pyspark):
    # Act
    with pytest.raises(OrreryError, match='pyspark cannot be imported') as raised:
        create_spark_session(dry_run=False)
    # Assess
    assert raised.value.code == 'no-pyspark'
    assert api.calls() == []


def test_a_refusal_of_orrery_raises_its_message(server_env, api, pyspark):
    # Prepare
    api.create = (400, {'error': 'validation', 'message': "unknown pool 'gpu': known pools are batch, spot",
                        'requestId': 'req-7'})
    # Act
    with pytest.raises(OrreryError) as raised:
        create_spark_session(pool='gpu')
    # Assess
    error = raised.value
    assert (error.status, error.code, error.request_id) == (400, 'validation', 'req-7')
    assert error.message == "unknown pool 'gpu': known pools are batch, spot"
    assert str(error) == "unknown pool 'gpu': known pools are batch, spot (request req-7)"
    assert pyspark.built == []
    assert api.calls() == [CREATE]


def test_outside_an_orrery_server_it_names_what_is_missing(monkeypatch, pyspark):
    # Prepare
    for name in ('ORRERY_API_URL', 'ORRERY_SERVER_NAME', 'JUPYTER_TOKEN', 'JUPYTER_TOKEN_FILE'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('ORRERY_SERVER_NAME', 'lab')
    # Act
    with pytest.raises(OrreryError) as raised:
        create_spark_session()
    # Assess
    assert raised.value.code == 'not-in-orrery'
    assert 'ORRERY_API_URL, JUPYTER_TOKEN missing' in str(raised.value)


def test_an_api_that_does_not_answer_is_a_clear_error(server_env, monkeypatch, pyspark):
    # Prepare
    monkeypatch.setenv('ORRERY_API_URL', 'http://127.0.0.1:9/api')
    # Act
    with pytest.raises(OrreryError, match='did not answer') as raised:
        create_spark_session()
    # Assess
    assert raised.value.code == 'unreachable'
