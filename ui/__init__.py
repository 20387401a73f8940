"""The Streamlit app of Escalation Playbook Studio (run ``streamlit run ui/app.py``)."""
