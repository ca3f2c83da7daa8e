"""Korean NLU components for the Rasa pipeline (loaded by Rasa from nlu/)."""
